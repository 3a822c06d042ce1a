using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PeerChat.AspNetCore.Tests;

/// <summary>
/// A real redis-server (Debian's package) on a free port of 127.0.0.1, without persistence, for the backplane
/// tests; it can be stopped and started again on the same port (the fault tests) and is killed on dispose.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private const string Executable = "/usr/bin/redis-server";
    private Process? _process;

    public int Port { get; } = FreePort();

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public Task InitializeAsync() => StartAsync();

    public async Task StartAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's redis-server package (.ci/run does).");
        }
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await AnswersPingAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > until)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}.");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server (its data goes with it: no persistence), as a crash or restart would.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    public Task DisposeAsync() => StopAsync();

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}
