using System.Globalization;
using System.Net;

namespace SeqClassify.Cli.Server;

/// <summary>
/// serve's --urls as Kestrel should bind them: each checked first (Kestrel's own message for a bad
/// address names none), and each host name resolved to its addresses. Kestrel binds every interface
/// for a host name other than localhost, so http://myhost:5080 would listen on the network too; here
/// it listens on myhost's addresses alone. Wildcards (*, +, 0.0.0.0, [::]) still mean every interface.
/// </summary>
internal static class ListenAddresses
{
    public static string Resolve(string urls, Func<string, IPAddress[]>? resolve = null)
    {
        resolve ??= Dns.GetHostAddresses;
        var bound = new List<string>();
        foreach (string url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (scheme, host, port, rest) = Parse(url);
            if (IsLiteralOrWildcard(host))
            {
                bound.Add(url);
                continue;
            }
            IPAddress[] addresses;
            try
            {
                addresses = resolve(host);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new UsageException($"--urls: the host '{host}' in '{url}' cannot be resolved ({e.Message}); give an IP address, localhost, or * for every interface");
            }
            if (addresses.Length == 0) throw new UsageException($"--urls: the host '{host}' in '{url}' has no address");
            foreach (var address in addresses.Distinct())
            {
                string literal = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
                bound.Add($"{scheme}://{literal}{(port is null ? "" : ":" + port)}{rest}");
            }
        }
        if (bound.Count == 0) throw new UsageException("--urls: no address to listen on");
        return string.Join(';', bound);
    }

    private static bool IsLiteralOrWildcard(string host) =>
        host is "*" or "+" or "localhost" || host.StartsWith('[') || IPAddress.TryParse(host, out _);

    // scheme://host[:port][/path], with the port checked (Uri refuses ports above 65535 without saying so).
    private static (string Scheme, string Host, string? Port, string Path) Parse(string url)
    {
        int separator = url.IndexOf("://", StringComparison.Ordinal);
        string scheme = separator < 0 ? "" : url[..separator].ToLowerInvariant();
        if (scheme is not ("http" or "https")) throw Invalid(url);
        string remainder = url[(separator + 3)..];
        int slash = remainder.IndexOf('/');
        string authority = slash < 0 ? remainder : remainder[..slash], rest = slash < 0 ? "" : remainder[slash..];
        int colon = authority.LastIndexOf(':');
        bool hasPort = colon >= 0 && colon > authority.LastIndexOf(']');
        string host = hasPort ? authority[..colon] : authority;
        string? port = hasPort ? authority[(colon + 1)..] : null;
        if (host.Length == 0 || (port is not null && !(int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number <= 65535)))
        {
            throw Invalid(url);
        }
        return (scheme, host, port, rest);
    }

    private static UsageException Invalid(string url) =>
        new($"--urls: '{url}' is not an address to listen on: expected http://HOST:PORT or https://HOST:PORT with a port from 0 to 65535");
}
