using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace PeerChat.AspNetCore.Tests;

/// <summary>The real endpoints over HTTP and WebSocket, against Kestrel on loopback.</summary>
public class EndpointTests
{
    private const string Uuid = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

    [Fact]
    public async Task Info_route_matches_the_node_server()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Http.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(
            """{"name":"PeerJS Server","description":"A server side element to broker connections between PeerJS clients.","website":"https://peerjs.com/"}""",
            await response.Content.ReadAsStringAsync());

        var noSlash = await server.Http.GetAsync(server.BaseUri.AbsolutePath.TrimEnd('/'));
        Assert.Equal(HttpStatusCode.OK, noSlash.StatusCode);
    }

    [Fact]
    public async Task Id_route_returns_a_uuid_as_html_text()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Http.GetAsync("peerjs/id?ts=123");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Matches(Uuid, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Peers_route_is_401_unless_discovery_is_on()
    {
        await using (var closed = await TestServer.StartAsync())
        {
            var response = await closed.Http.GetAsync("peerjs/peers");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Unauthorized", await response.Content.ReadAsStringAsync());
        }

        await using var open = await TestServer.StartAsync(o => o.AllowDiscovery = true);
        using var a = await open.RegisterAsync("alice");
        Assert.Equal("""{"type":"OPEN"}""", await a.ReceiveAsync());
        Assert.Equal("""["alice"]""", await open.Http.GetStringAsync("peerjs/peers"));
    }

    [Fact]
    public async Task Cors_echoes_any_origin_by_default_and_answers_preflights()
    {
        await using var server = await TestServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "peerjs/id");
        request.Headers.Add("Origin", "http://site.test");
        var response = await server.Http.SendAsync(request);
        Assert.Equal("http://site.test", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Origin", response.Headers.Vary);

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "peerjs/id");
        preflight.Headers.Add("Origin", "http://site.test");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-test");
        var answer = await server.Http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("http://site.test", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("GET,HEAD,PUT,PATCH,POST,DELETE", answer.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("x-test", answer.Headers.GetValues("Access-Control-Allow-Headers").Single());
    }

    [Fact]
    public async Task Allowed_origins_restrict_cors_and_websockets()
    {
        await using var server = await TestServer.StartAsync(o => o.AllowedOrigins.Add("http://good.test"));
        foreach (var (origin, allowed) in new[] { ("http://good.test", true), ("http://evil.test", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "peerjs/id");
            request.Headers.Add("Origin", origin);
            var response = await server.Http.SendAsync(request);
            Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Origin"));
        }

        using var good = await server.ConnectAsync("key=peerjs&id=g&token=t", "http://good.test");
        Assert.Equal("""{"type":"OPEN"}""", await good.ReceiveAsync());
        await Assert.ThrowsAsync<WebSocketException>(() => server.ConnectAsync("key=peerjs&id=e&token=t", "http://evil.test"));
        using var noOrigin = await server.ConnectAsync("key=peerjs&id=n&token=t");
        Assert.Equal("""{"type":"OPEN"}""", await noOrigin.ReceiveAsync());
    }

    [Fact]
    public async Task Two_clients_register_and_relay_with_src_set_by_the_server()
    {
        await using var server = await TestServer.StartAsync();
        using var a = await server.RegisterAsync("a");
        using var b = await server.RegisterAsync("b");
        Assert.Equal("""{"type":"OPEN"}""", await a.ReceiveAsync());
        Assert.Equal("""{"type":"OPEN"}""", await b.ReceiveAsync());

        await a.SendAsync("""{"type":"OFFER","src":"b","dst":"b","payload":{"sdp":"v=0","connectionId":"dc_x"},"x":1}""");
        Assert.Equal("""{"type":"OFFER","src":"a","dst":"b","payload":{"sdp":"v=0","connectionId":"dc_x"}}""", await b.ReceiveAsync());

        await b.SendAsync("""{"type":"ANSWER","dst":"a","payload":{"sdp":"v=1"}}""");
        Assert.Equal("""{"type":"ANSWER","src":"b","dst":"a","payload":{"sdp":"v=1"}}""", await a.ReceiveAsync());

        await a.SendAsync("""{"type":"HEARTBEAT"}""");
        await a.SendAsync("""{"type":"CANDIDATE","dst":"b","payload":{"candidate":"c"}}""");
        Assert.Equal("""{"type":"CANDIDATE","src":"a","dst":"b","payload":{"candidate":"c"}}""", await b.ReceiveAsync());
        Assert.Null(await a.ReceiveAsync(300));
        Assert.Equal(WebSocketState.Open, a.Socket.State);
    }

    [Fact]
    public async Task Refusals_send_the_node_servers_messages_then_close()
    {
        await using var server = await TestServer.StartAsync();
        using var owner = await server.RegisterAsync("a", "t1");
        Assert.Equal("""{"type":"OPEN"}""", await owner.ReceiveAsync());

        var cases = new[]
        {
            ("key=peerjs&id=a&token=t2", """{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}"""),
            ("key=nope&id=x&token=t", """{"type":"ERROR","payload":{"msg":"Invalid key provided"}}"""),
            ("key=peerjs&id=x", """{"type":"ERROR","payload":{"msg":"No id, token, or key supplied to websocket server"}}"""),
        };
        foreach (var (query, expected) in cases)
        {
            using var socket = await server.ConnectAsync(query);
            Assert.Equal(expected, await socket.ReceiveAsync());
            Assert.Equal(WebSocketCloseStatus.NormalClosure, await socket.WaitForCloseAsync());
        }
        Assert.Equal(WebSocketState.Open, owner.Socket.State);
    }

    [Fact]
    public async Task Queued_messages_reach_a_late_peer_and_a_never_connecting_one_yields_EXPIRE()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.ExpireTimeout = TimeSpan.FromMilliseconds(400);
            o.ExpireCheckInterval = TimeSpan.FromMilliseconds(100);
        });
        using var a = await server.RegisterAsync("a");
        await a.ReceiveAsync();

        await a.SendAsync("""{"type":"OFFER","dst":"late","payload":1}""");
        using var late = await server.RegisterAsync("late");
        Assert.Equal("""{"type":"OPEN"}""", await late.ReceiveAsync());
        Assert.Equal("""{"type":"OFFER","src":"a","dst":"late","payload":1}""", await late.ReceiveAsync());

        await a.SendAsync("""{"type":"OFFER","dst":"ghost","payload":1}""");
        await a.SendAsync("""{"type":"CANDIDATE","dst":"ghost","payload":2}""");
        Assert.Equal("""{"type":"EXPIRE","src":"ghost","dst":"a"}""", await a.ReceiveAsync(3000));
        Assert.Null(await a.ReceiveAsync(500));
    }

    [Fact]
    public async Task Silent_clients_are_dropped_after_the_alive_timeout()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            // Long enough that a busy machine (xunit runs classes in parallel) never delays a
            // 100 ms heartbeat past it; the silent client still goes well within the test.
            o.AliveTimeout = TimeSpan.FromMilliseconds(1500);
            o.AliveCheckInterval = TimeSpan.FromMilliseconds(50);
        });
        using var silent = await server.RegisterAsync("silent");
        using var chatty = await server.RegisterAsync("chatty");
        await silent.ReceiveAsync();
        await chatty.ReceiveAsync();

        var deadline = DateTime.UtcNow.AddMilliseconds(3000);
        while (DateTime.UtcNow < deadline)
        {
            await chatty.SendAsync("""{"type":"HEARTBEAT"}""");
            await Task.Delay(100);
        }

        Assert.NotNull(await silent.WaitForCloseAsync(500));
        Assert.Equal(WebSocketState.Open, chatty.Socket.State);
    }

    [Fact]
    public async Task Same_id_and_token_may_reconnect()
    {
        await using var server = await TestServer.StartAsync();
        using var first = await server.RegisterAsync("a", "t");
        await first.ReceiveAsync();
        using var b = await server.RegisterAsync("b");
        await b.ReceiveAsync();

        using var second = await server.RegisterAsync("a", "t");
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await first.WaitForCloseAsync());
        await b.SendAsync("""{"type":"OFFER","dst":"a","payload":0}""");
        Assert.Equal("""{"type":"OFFER","src":"b","dst":"a","payload":0}""", await second.ReceiveAsync());
    }

    [Theory]
    [InlineData("{not json", "Invalid message")]
    [InlineData("[1]", "Invalid message")]
    [InlineData("""{"type":"BOGUS"}""", "Unknown message type")]
    public async Task Bad_messages_get_ERROR_and_close_and_others_are_unaffected(string frame, string error)
    {
        await using var server = await TestServer.StartAsync();
        using var good = await server.RegisterAsync("good");
        using var bad = await server.RegisterAsync("bad");
        await good.ReceiveAsync();
        await bad.ReceiveAsync();

        await bad.SendAsync(frame);

        Assert.Equal(JsonSerializer.Serialize(new { type = "ERROR", payload = new { msg = error } }), await bad.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await bad.WaitForCloseAsync());
        await AssertStillWorks(server, good);
    }

    [Fact]
    public async Task Oversized_frames_get_ERROR_and_close_1009()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 8 * 1024);
        using var good = await server.RegisterAsync("good");
        using var bad = await server.RegisterAsync("bad");
        await good.ReceiveAsync();
        await bad.ReceiveAsync();

        await bad.SendAsync(new { type = "OFFER", dst = "good", payload = new string('x', 9 * 1024) });

        Assert.Equal("""{"type":"ERROR","payload":{"msg":"Message too large"}}""", await bad.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await bad.WaitForCloseAsync());
        Assert.Null(await good.ReceiveAsync(300));
        await AssertStillWorks(server, good);
    }

    [Fact]
    public async Task A_message_just_under_the_limit_in_many_fragments_is_relayed()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 32 * 1024);
        using var a = await server.RegisterAsync("a");
        using var b = await server.RegisterAsync("b");
        await a.ReceiveAsync();
        await b.ReceiveAsync();

        var text = JsonSerializer.Serialize(new { type = "OFFER", dst = "b", payload = new string('y', 30 * 1024) });
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < bytes.Length; i += 1000)
        {
            var end = Math.Min(bytes.Length, i + 1000);
            await a.Socket.SendAsync(bytes.AsMemory(i, end - i), WebSocketMessageType.Text, end == bytes.Length, CancellationToken.None);
        }

        var relayed = await b.ReceiveAsync();
        Assert.Equal(30 * 1024, JsonDocument.Parse(relayed!).RootElement.GetProperty("payload").GetString()!.Length);
    }

    [Fact]
    public async Task A_flood_gets_ERROR_and_close_and_others_are_unaffected()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.MessagesPerSecond = 20;
            o.MessageBurst = 40;
        });
        using var good = await server.RegisterAsync("good");
        using var flood = await server.RegisterAsync("flood");
        await good.ReceiveAsync();
        await flood.ReceiveAsync();

        try
        {
            for (var i = 0; i < 500; i++)
            {
                await flood.SendAsync("""{"type":"CANDIDATE","dst":"good","payload":0}""");
            }
        }
        catch (WebSocketException)
        {
            // The server may already have closed on us.
        }

        var received = 0;
        while (await good.ReceiveAsync(300) is not null)
        {
            received++;
        }
        Assert.InRange(received, 40, 150); // burst + refill while sending; far below the 500 sent
        Assert.Equal("""{"type":"ERROR","payload":{"msg":"Too many messages"}}""", await flood.ReceiveAsync());
        await AssertStillWorks(server, good);
    }

    [Fact]
    public async Task Stopping_the_app_closes_sockets_promptly()
    {
        var server = await TestServer.StartAsync();
        using var a = await server.RegisterAsync("a");
        await a.ReceiveAsync();

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var closed = a.WaitForCloseAsync(10000);
        await server.DisposeAsync();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await closed);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"shutdown took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Plain_GET_on_the_websocket_path_is_404()
    {
        await using var server = await TestServer.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("peerjs")).StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/signal/")]
    [InlineData("nested/path")]
    public async Task Any_mount_path_works_like_the_node_path_option(string path)
    {
        await using var server = await TestServer.StartAsync(path: path);
        Assert.Matches(Uuid, await server.Http.GetStringAsync("peerjs/id"));
        using var a = await server.RegisterAsync("a");
        Assert.Equal("""{"type":"OPEN"}""", await a.ReceiveAsync());
    }

    private static async Task AssertStillWorks(TestServer server, TestSocket good)
    {
        using var other = await server.RegisterAsync("other-" + Guid.NewGuid().ToString("N"));
        Assert.Equal("""{"type":"OPEN"}""", await other.ReceiveAsync());
        await other.SendAsync("""{"type":"OFFER","dst":"good","payload":"still"}""");
        var relayed = await good.ReceiveAsync();
        Assert.NotNull(relayed);
        Assert.Equal("still", JsonDocument.Parse(relayed!).RootElement.GetProperty("payload").GetString());
    }
}
