using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore.Tests;

/// <summary>The registration, relay, queue, expiry and alive logic, driven without sockets or real time.</summary>
public class HubTests
{
    private readonly ManualTime _time = new();

    private static SignalingMessage Msg(string type, string? dst, string? payloadJson = null) =>
        new(type, null, dst, payloadJson is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(payloadJson));

    private static async Task<(Model.Client Client, FakeConnection Connection)> RegisterAsync(SignalingHub hub, string id, string? token = null)
    {
        var connection = new FakeConnection();
        var client = await hub.ConnectAsync(id, token ?? "t-" + id, "peerjs", connection);
        Assert.NotNull(client);
        return (client!, connection);
    }

    [Fact]
    public async Task New_client_gets_OPEN()
    {
        var hub = HubFactory.Create(_time);
        var (_, a) = await RegisterAsync(hub, "a");
        Assert.Equal(["""{"type":"OPEN"}"""], a.Sent);
        Assert.Null(a.ClosedWith);
        Assert.Equal(["a"], await hub.GetClientIdsAsync());
    }

    [Theory]
    [InlineData(null, "t", "peerjs")]
    [InlineData("a", null, "peerjs")]
    [InlineData("a", "t", null)]
    [InlineData("", "t", "peerjs")]
    public async Task Missing_parameters_get_ERROR_and_close(string? id, string? token, string? key)
    {
        var hub = HubFactory.Create(_time);
        var connection = new FakeConnection();
        Assert.Null(await hub.ConnectAsync(id, token, key, connection));
        Assert.Equal(["""{"type":"ERROR","payload":{"msg":"No id, token, or key supplied to websocket server"}}"""], connection.Sent);
        Assert.NotNull(connection.ClosedWith);
    }

    [Fact]
    public async Task Wrong_key_gets_ERROR_and_close()
    {
        var hub = HubFactory.Create(_time, o => o.Key = "secret");
        var connection = new FakeConnection();
        Assert.Null(await hub.ConnectAsync("a", "t", "peerjs", connection));
        Assert.Equal(["""{"type":"ERROR","payload":{"msg":"Invalid key provided"}}"""], connection.Sent);
        Assert.NotNull(connection.ClosedWith);
    }

    [Fact]
    public async Task Taken_id_with_another_token_gets_ID_TAKEN_and_the_owner_is_untouched()
    {
        var hub = HubFactory.Create(_time);
        var (_, owner) = await RegisterAsync(hub, "a", "t1");
        var intruder = new FakeConnection();

        Assert.Null(await hub.ConnectAsync("a", "t2", "peerjs", intruder));

        Assert.Equal(["""{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}"""], intruder.Sent);
        Assert.NotNull(intruder.ClosedWith);
        Assert.Null(owner.ClosedWith);
    }

    [Fact]
    public async Task Same_id_and_token_reconnects_without_OPEN_and_replaces_the_old_socket()
    {
        var hub = HubFactory.Create(_time);
        var (client, first) = await RegisterAsync(hub, "a", "t1");
        var second = new FakeConnection();

        Assert.Same(client, await hub.ConnectAsync("a", "t1", "peerjs", second));

        Assert.Empty(second.Sent);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, first.ClosedWith);
        // The old socket closing later must not unregister the client.
        hub.Disconnected(client, first);
        Assert.Equal(["a"], await hub.GetClientIdsAsync());
    }

    [Fact]
    public async Task Concurrent_limit_refuses_new_ids_but_not_reconnects()
    {
        var hub = HubFactory.Create(_time, o => o.ConcurrentLimit = 1);
        await RegisterAsync(hub, "a", "t");
        var refused = new FakeConnection();

        Assert.Null(await hub.ConnectAsync("b", "t", "peerjs", refused));
        Assert.Equal(["""{"type":"ERROR","payload":{"msg":"Server has reached its concurrent user limit"}}"""], refused.Sent);
        Assert.NotNull(await hub.ConnectAsync("a", "t", "peerjs", new FakeConnection()));
    }

    [Fact]
    public async Task Relay_sets_src_to_the_senders_id()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a");
        var (_, bConn) = await RegisterAsync(hub, "b");

        hub.Receive(a, aConn, Msg("OFFER", "b", """{"sdp":"x"}""") with { Src = "mallory" });

        Assert.Equal("""{"type":"OFFER","src":"a","dst":"b","payload":{"sdp":"x"}}""", bConn.Sent[^1]);
    }

    [Fact]
    public async Task Messages_from_a_replaced_socket_are_ignored()
    {
        var hub = HubFactory.Create(_time);
        var (a, oldConn) = await RegisterAsync(hub, "a", "t");
        await hub.ConnectAsync("a", "t", "peerjs", new FakeConnection());
        var (_, bConn) = await RegisterAsync(hub, "b");

        hub.Receive(a, oldConn, Msg("OFFER", "b"));

        Assert.Equal(["OPEN"], bConn.Types);
    }

    [Fact]
    public async Task Messages_for_an_absent_peer_are_delivered_when_it_connects()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a");
        hub.Receive(a, aConn, Msg("OFFER", "c", "1"));
        hub.Receive(a, aConn, Msg("CANDIDATE", "c", "2"));
        Assert.Equal(2, hub.QueuedFor("c"));

        _time.Advance(TimeSpan.FromSeconds(3));
        var (_, cConn) = await RegisterAsync(hub, "c");

        Assert.Equal(
            ["""{"type":"OPEN"}""", """{"type":"OFFER","src":"a","dst":"c","payload":1}""", """{"type":"CANDIDATE","src":"a","dst":"c","payload":2}"""],
            cConn.Sent);
        Assert.Equal(0, hub.QueuedFor("c"));
        hub.PruneExpiredMessages();
        _time.Advance(TimeSpan.FromSeconds(10));
        hub.PruneExpiredMessages();
        Assert.DoesNotContain("EXPIRE", aConn.Types);
    }

    [Fact]
    public async Task Queued_messages_expire_with_one_EXPIRE_per_sender_and_destination()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a");
        var (b, bConn) = await RegisterAsync(hub, "b");
        hub.Receive(a, aConn, Msg("OFFER", "d"));
        hub.Receive(a, aConn, Msg("CANDIDATE", "d"));
        hub.Receive(b, bConn, Msg("OFFER", "d"));

        _time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.Equal(0, hub.PruneExpiredMessages());
        Assert.DoesNotContain("EXPIRE", aConn.Types);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, hub.PruneExpiredMessages());

        Assert.Equal(["""{"type":"EXPIRE","src":"d","dst":"a"}"""], aConn.Sent.Where(s => s.Contains("EXPIRE")));
        Assert.Equal(["""{"type":"EXPIRE","src":"d","dst":"b"}"""], bConn.Sent.Where(s => s.Contains("EXPIRE")));
        Assert.Equal(0, hub.QueuedFor("d"));
    }

    [Fact]
    public async Task Expire_timeout_is_configurable()
    {
        var hub = HubFactory.Create(_time, o => o.ExpireTimeout = TimeSpan.FromMilliseconds(200));
        var (a, aConn) = await RegisterAsync(hub, "a");
        hub.Receive(a, aConn, Msg("OFFER", "d"));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        hub.PruneExpiredMessages();
        Assert.Contains("EXPIRE", aConn.Types);
    }

    [Fact]
    public async Task LEAVE_and_EXPIRE_for_an_absent_peer_are_dropped_not_queued()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a");
        hub.Receive(a, aConn, Msg("LEAVE", "x"));
        hub.Receive(a, aConn, Msg("EXPIRE", "x"));
        Assert.Equal(0, hub.QueuedFor("x"));
    }

    [Fact]
    public async Task A_message_for_an_id_longer_than_any_client_may_hold_expires_at_once_and_waits_for_nobody()
    {
        var hub = HubFactory.Create(_time, o => o.MaxIdLength = 8);
        var (a, aConn) = await RegisterAsync(hub, "a");
        var tooLong = new string('x', 9);
        hub.Receive(a, aConn, Msg("OFFER", tooLong));
        hub.Receive(a, aConn, Msg("LEAVE", tooLong));
        hub.Receive(a, aConn, Msg("EXPIRE", tooLong));
        Assert.Equal(0, hub.QueuedFor(tooLong));
        Assert.Equal([$$"""{"type":"EXPIRE","src":"{{tooLong}}","dst":"a"}"""], aConn.Sent.Skip(1));
        // A heartbeat is one, whatever else it carries.
        _time.Advance(TimeSpan.FromSeconds(1));
        hub.Receive(a, aConn, Msg("HEARTBEAT", tooLong));
        Assert.Equal(_time.GetUtcNow(), a.LastPing);
        // At the limit, as before: it waits for that peer.
        hub.Receive(a, aConn, Msg("OFFER", new string('x', 8)));
        Assert.Equal(1, hub.QueuedFor(new string('x', 8)));
    }

    [Fact]
    public async Task LEAVE_and_EXPIRE_are_relayed_to_a_present_peer()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a");
        var (_, bConn) = await RegisterAsync(hub, "b");
        hub.Receive(a, aConn, Msg("LEAVE", "b"));
        hub.Receive(a, aConn, Msg("EXPIRE", "b"));
        Assert.Equal(["""{"type":"LEAVE","src":"a","dst":"b"}""", """{"type":"EXPIRE","src":"a","dst":"b"}"""], bConn.Sent.Skip(1));
    }

    [Fact]
    public async Task LEAVE_without_dst_unregisters_the_sender()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a");
        hub.Receive(a, aConn, Msg("LEAVE", null));
        Assert.Empty(await hub.GetClientIdsAsync());
        Assert.NotNull(aConn.ClosedWith);
    }

    [Fact]
    public async Task Messages_without_dst_are_not_queued()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a");
        hub.Receive(a, aConn, Msg("OFFER", null));
        Assert.Equal(0, hub.QueuedFor(""));
        Assert.Equal(["a"], await hub.GetClientIdsAsync());
    }

    [Fact]
    public async Task A_dead_destination_is_dropped_and_the_sender_gets_LEAVE()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a");
        var (_, bConn) = await RegisterAsync(hub, "b");
        bConn.Dead = true;

        hub.Receive(a, aConn, Msg("OFFER", "b"));

        Assert.Equal("""{"type":"LEAVE","src":"b","dst":"a"}""", aConn.Sent[^1]);
        Assert.NotNull(bConn.ClosedWith);
        Assert.Equal(["a"], await hub.GetClientIdsAsync());
    }

    [Fact]
    public async Task Two_dead_peers_do_not_bounce_LEAVE_forever()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a");
        var (_, bConn) = await RegisterAsync(hub, "b");
        aConn.Dead = true;
        bConn.Dead = true;

        hub.Receive(a, aConn, Msg("OFFER", "b"));

        // Returned at all (no endless recursion), and both dead peers are gone.
        Assert.Empty(await hub.GetClientIdsAsync());
    }

    [Fact]
    public async Task Queue_per_peer_is_capped()
    {
        var hub = HubFactory.Create(_time, o => o.MaxQueuedMessagesPerPeer = 3);
        var (a, aConn) = await RegisterAsync(hub, "a");
        for (var i = 0; i < 10; i++)
        {
            hub.Receive(a, aConn, Msg("CANDIDATE", "c", i.ToString()));
        }
        Assert.Equal(3, hub.QueuedFor("c"));
    }

    [Fact]
    public async Task Silent_clients_are_dropped_after_the_alive_timeout_and_heartbeats_keep_them()
    {
        var hub = HubFactory.Create(_time, o => o.AliveTimeout = TimeSpan.FromSeconds(60));
        var (a, aConn) = await RegisterAsync(hub, "a");
        var (_, bConn) = await RegisterAsync(hub, "b");

        _time.Advance(TimeSpan.FromSeconds(50));
        hub.Receive(a, aConn, Msg("HEARTBEAT", null));
        Assert.Empty(aConn.Sent.Skip(1));
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(1, hub.DropSilentClients());
        Assert.Equal(["a"], await hub.GetClientIdsAsync());
        Assert.NotNull(bConn.ClosedWith);
        Assert.Null(aConn.ClosedWith);

        // The freed id can be registered again, with any token.
        Assert.NotNull(await hub.ConnectAsync("b", "new-token", "peerjs", new FakeConnection()));
    }

    [Fact]
    public void Default_alive_timeout_is_that_of_peer_1_0_library()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), new PeerSignalingOptions().AliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), new PeerSignalingOptions().ExpireTimeout);
        Assert.Equal(5000, new PeerSignalingOptions().ConcurrentLimit);
        Assert.Equal("peerjs", new PeerSignalingOptions().Key);
        Assert.False(new PeerSignalingOptions().AllowDiscovery);
    }

    [Fact]
    public async Task Disconnect_frees_the_id()
    {
        var hub = HubFactory.Create(_time);
        var (a, aConn) = await RegisterAsync(hub, "a", "t1");
        hub.Disconnected(a, aConn);
        Assert.Empty(await hub.GetClientIdsAsync());
        Assert.NotNull(await hub.ConnectAsync("a", "t2", "peerjs", new FakeConnection()));
    }

    [Fact]
    public async Task Generated_ids_are_uuids_unless_a_generator_is_given()
    {
        var hub = HubFactory.Create(_time);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", hub.GenerateClientId());

        var n = 0;
        var custom = HubFactory.Create(_time, o => o.GenerateClientId = () => "id" + (n++ / 2));
        await custom.ConnectAsync("id0", "t", "peerjs", new FakeConnection());
        Assert.Equal("id1", custom.GenerateClientId());
    }

    [Fact]
    public async Task CloseAll_closes_every_socket_as_going_away()
    {
        var hub = HubFactory.Create(_time);
        var (_, aConn) = await RegisterAsync(hub, "a");
        var (_, bConn) = await RegisterAsync(hub, "b");
        hub.CloseAll();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, aConn.ClosedWith);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, bConn.ClosedWith);
    }
}
