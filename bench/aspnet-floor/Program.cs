// The floor of bench:signaling (BENCH_SERVERS=aspnet-floor): what a bare ASP.NET Core WebSocket endpoint costs per
// held client on this machine, to tell Kestrel's own per-connection state apart from what PeerChat.AspNetCore and
// the demo site add. It speaks only what bench/signaling.mjs's clients need: the socket at /peerjs/peerjs?id=…,
// OPEN on connect, frames with a dst relayed to that id with src set, everything else (HEARTBEAT) ignored. No key,
// token, limits, queues or expiry: a measuring stick, not a server. Process settings as demo/aspnet's Program.cs
// and runtimeconfig (inline socket completions and Kestrel scheduling, no thread-pool spinning), so that the
// comparison isolates the per-connection state.
using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;

var inlineIo = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") ?? "1";
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", inlineIo);

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseSockets(options => options.UnsafePreferInlineScheduling = inlineIo == "1");
var app = builder.Build();

var peers = new ConcurrentDictionary<string, Peer>(StringComparer.Ordinal);
var open = """{"type":"OPEN"}"""u8.ToArray();

app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
app.Map("/peerjs/peerjs", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest || context.Request.Query["id"].ToString() is not { Length: > 0 } id)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var me = new Peer(socket);
    peers[id] = me;
    try
    {
        await me.SendAsync(open);
        while (true)
        {
            // A zero-byte read waits for the next frame without holding a buffer while the client is idle.
            var result = await socket.ReceiveAsync(Memory<byte>.Empty, default);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                var length = 0;
                while (!result.EndOfMessage && length < buffer.Length)
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), default);
                    length += result.Count;
                }
                if (result.EndOfMessage && Relayed(buffer.AsMemory(0, length), id) is ({ } dst, { } frame) && peers.TryGetValue(dst, out var to))
                {
                    await to.SendAsync(frame);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
    }
    catch (WebSocketException)
    {
    }
    finally
    {
        peers.TryRemove(new KeyValuePair<string, Peer>(id, me));
    }
});

app.Run();

// {"type":…,"dst":…,"payload":…} from `src` → its destination and {"type":…,"src":…,"dst":…,"payload":…}.
static (string?, byte[]?) Relayed(ReadOnlyMemory<byte> utf8, string src)
{
    using var document = JsonDocument.Parse(utf8);
    var root = document.RootElement;
    if (!root.TryGetProperty("dst", out var dstElement) || dstElement.GetString() is not { } dst)
    {
        return (null, null);
    }
    var output = new ArrayBufferWriter<byte>(utf8.Length + 64);
    using (var writer = new Utf8JsonWriter(output))
    {
        writer.WriteStartObject();
        writer.WriteString("type", root.GetProperty("type").GetString());
        writer.WriteString("src", src);
        writer.WriteString("dst", dst);
        if (root.TryGetProperty("payload", out var payload))
        {
            writer.WritePropertyName("payload");
            payload.WriteTo(writer);
        }
        writer.WriteEndObject();
    }
    return (dst, output.WrittenSpan.ToArray());
}

/// <summary>A held socket; a WebSocket allows one send at a time, and several senders may relay to it at once.</summary>
sealed class Peer(WebSocket socket)
{
    private readonly SemaphoreSlim _sending = new(1, 1);

    public async Task SendAsync(byte[] frame)
    {
        await _sending.WaitAsync();
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, default);
        }
        catch (WebSocketException)
        {
            // The destination vanished; its own loop cleans up.
        }
        finally
        {
            _sending.Release();
        }
    }
}
