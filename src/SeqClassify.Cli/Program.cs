using SeqClassify.Cli;

return CliApp.Run(args, CliConsole.System(), Console.In);
