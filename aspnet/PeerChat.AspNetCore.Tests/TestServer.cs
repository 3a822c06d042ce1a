using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PeerChat.AspNetCore.Tests;

/// <summary>A real Kestrel on 127.0.0.1 with a random port, running the two-line setup.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
        Http = new HttpClient { BaseAddress = baseUri };
    }

    /// <summary>e.g. http://127.0.0.1:41234/peerjs/</summary>
    public Uri BaseUri { get; }

    public HttpClient Http { get; }

    public static async Task<TestServer> StartAsync(
        Action<PeerSignalingOptions>? configure = null,
        string path = "/peerjs",
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication, RouteGroupBuilder>? configureApp = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddPeerSignaling(configure);
        configureBuilder?.Invoke(builder);
        var app = builder.Build();
        var group = app.MapPeerSignaling(path);
        configureApp?.Invoke(app, group);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(address + ("/" + path.Trim('/') + "/").Replace("//", "/")));
    }

    public IServiceProvider Services => _app.Services;

    public async Task<TestSocket> ConnectAsync(string query, string? origin = null, CookieContainer? cookies = null)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        socket.Options.Cookies = cookies;
        var uri = new UriBuilder(BaseUri) { Scheme = "ws", Path = BaseUri.AbsolutePath + "peerjs", Query = query }.Uri;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.ConnectAsync(uri, cts.Token);
        return new TestSocket(socket);
    }

    public Task<TestSocket> RegisterAsync(string id, string? token = null) =>
        ConnectAsync($"key=peerjs&id={id}&token={token ?? "t-" + id}");

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// A raw client socket. One background loop reads it (a cancelled ReceiveAsync would abort a
/// ClientWebSocket), so tests can wait for a frame with a timeout.
/// </summary>
internal sealed class TestSocket : IDisposable
{
    private readonly Channel<string> _frames = Channel.CreateUnbounded<string>();
    private readonly Task<WebSocketCloseStatus?> _reader;

    public TestSocket(ClientWebSocket socket)
    {
        Socket = socket;
        _reader = Task.Run(ReadAllAsync);
    }

    public ClientWebSocket Socket { get; }

    public Task SendAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendAsync(object message) => SendAsync(JsonSerializer.Serialize(message));

    /// <summary>The next text frame, or null when the socket closed or nothing came in time.</summary>
    public async Task<string?> ReceiveAsync(int timeoutMs = 3000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            return await _frames.Reader.ReadAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>The server's close status once the socket has closed (null if it failed or took too long).</summary>
    public async Task<WebSocketCloseStatus?> WaitForCloseAsync(int timeoutMs = 3000)
    {
        var done = await Task.WhenAny(_reader, Task.Delay(timeoutMs));
        return done == _reader ? await _reader : null;
    }

    private async Task<WebSocketCloseStatus?> ReadAllAsync()
    {
        var buffer = new byte[256 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var status = Socket.CloseStatus;
                    try
                    {
                        // Answer the close as a browser would.
                        await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }
                    catch (WebSocketException)
                    {
                    }
                    return status;
                }
                length += result.Count;
                if (result.EndOfMessage)
                {
                    _frames.Writer.TryWrite(Encoding.UTF8.GetString(buffer, 0, length));
                    length = 0;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            return null;
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    public void Dispose() => Socket.Dispose();
}
