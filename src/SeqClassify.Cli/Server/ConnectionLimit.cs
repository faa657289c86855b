using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace SeqClassify.Cli.Server;

/// <summary>
/// At most MaxConnections connections at once; one more is answered "503 Service Unavailable" with
/// Retry-After and closed, at once. Kestrel's own limit (MaxConcurrentConnections) closes it without a
/// word, and with its 130 s keep-alive, 256 idle connections locked every new client out for minutes.
/// The request is read (headers, and a small body) before the answer, so that the client, which sends
/// its request before it reads, gets the answer rather than a reset.
/// </summary>
internal sealed class ConnectionLimit(int maximum)
{
    private const int MostRead = 64 << 10;
    private static readonly TimeSpan ReadFor = TimeSpan.FromSeconds(2);
    private int _open;

    /// <summary>Connections open now.</summary>
    public int Open => Volatile.Read(ref _open);

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        try
        {
            if (Interlocked.Increment(ref _open) <= maximum)
            {
                await next(connection);
                return;
            }
            await ReadRequest(connection.Transport.Input);
            string body = $"{{\"error\":\"the server has {maximum} connections open, its most; retry after {ServerLimits.RetryAfterSeconds} s\",\"status\":503}}";
            string answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n" +
                            $"Retry-After: {ServerLimits.RetryAfterSeconds}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
            await connection.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes(answer));
            await connection.Transport.Output.CompleteAsync();
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    };

    // Reads until the end of the headers and a Content-Length of at most MostRead after them, or for a
    // short while: what is left unread when the connection closes could reset it before the answer arrives.
    private static async Task ReadRequest(PipeReader input)
    {
        using var limit = new CancellationTokenSource(ReadFor);
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(limit.Token);
                var buffer = read.Buffer;
                if (IsWhole(buffer) || buffer.Length >= MostRead || read.IsCompleted) return;
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or ConnectionResetException)
        {
        }
    }

    private static bool IsWhole(ReadOnlySequence<byte> buffer)
    {
        string text = Encoding.Latin1.GetString(buffer.Slice(0, Math.Min(buffer.Length, MostRead)).ToArray());
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return false;
        var length = System.Text.RegularExpressions.Regex.Match(text[..end], @"(?im)^content-length:\s*(\d+)\s*$");
        long body = length.Success && long.TryParse(length.Groups[1].Value, out long n) ? n : 0;
        return body > MostRead || text.Length - (end + 4) >= body;
    }
}
