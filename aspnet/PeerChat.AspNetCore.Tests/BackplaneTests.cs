using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PeerChat.AspNetCore.Backplane;
using PeerChat.AspNetCore.Redis;

namespace PeerChat.AspNetCore.Tests;

/// <summary>
/// Two or three in-process instances (real Kestrel) behind one real redis-server: what a client sees must
/// be what one instance gives it, and instances and Redis may fail.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class BackplaneTests(RedisServer redis) : IAsyncLifetime
{
    // Each test has its own keys and channels, so nothing carries over between tests.
    private readonly string _prefix = "test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<TestServer> _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }
    }

    private async Task<TestServer> StartInstanceAsync(Action<PeerSignalingOptions>? configure = null, bool waitForRedis = true)
    {
        var instance = await TestServer.StartAsync(configure, configureBuilder: builder =>
        {
            builder.Services.AddPeerSignaling().AddStackExchangeRedis(redis.Configuration, options =>
            {
                options.ChannelPrefix = _prefix;
                options.RegistrationTimeToLive = TimeSpan.FromSeconds(2);
            });
            builder.Services.AddHealthChecks().AddPeerSignaling();
        });
        _instances.Add(instance);
        if (waitForRedis)
        {
            await WaitUntilAsync(() => Connected(instance), "the backplane to connect");
        }
        return instance;
    }

    private static bool Connected(TestServer instance) =>
        instance.Services.GetRequiredService<SignalingHub>().BackplaneHealth is { Connected: true };

    private static async Task<TestSocket> RegisterAsync(TestServer instance, string id, string? token = null)
    {
        var socket = await instance.RegisterAsync(id, token);
        Assert.Equal("""{"type":"OPEN"}""", await socket.ReceiveAsync(5000));
        return socket;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutMs = 15_000)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.ElapsedMilliseconds < timeoutMs, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Retries a registration until it is answered OPEN; returns how long it took.</summary>
    private static async Task<(TestSocket Socket, TimeSpan Took)> RegisterOnceFreeAsync(TestServer instance, string id, string token, int timeoutMs)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var socket = await instance.RegisterAsync(id, token);
            if (await socket.ReceiveAsync(5000) == """{"type":"OPEN"}""")
            {
                return (socket, watch.Elapsed);
            }
            socket.Dispose();
            Assert.True(watch.ElapsedMilliseconds < timeoutMs, $"{id} was not free after {timeoutMs} ms");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task AddStackExchangeRedis_replaces_the_single_instance_default_and_validates_its_options()
    {
        static ServiceProvider Build(Action<RedisSignalingOptions> configure)
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
            services.AddPeerSignaling().AddStackExchangeRedis("127.0.0.1:1", configure);
            return services.BuildServiceProvider();
        }

        await using (var valid = Build(_ => { }))
        {
            Assert.IsType<RedisSignalingBackplane>(valid.GetRequiredService<ISignalingBackplane>());
        }
        await using var invalid = Build(o => (o.ChannelPrefix, o.RegistrationTimeToLive) = ("", TimeSpan.Zero));
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => invalid.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisSignalingOptions>>().Value);
        Assert.Equal(
            ["Property ChannelPrefix: must not be empty.", "Property RegistrationTimeToLive: must be between 1 s and 1 h (was 00:00:00)."],
            error.Failures);
        Assert.Equal(TimeSpan.FromSeconds(10), new RedisSignalingOptions().RegistrationTimeToLive);
    }

    [Fact]
    public async Task An_id_held_on_another_instance_gets_ID_TAKEN_and_the_holder_is_untouched()
    {
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();
        using var alice = await RegisterAsync(a, "alice", "t1");

        using var intruder = await b.RegisterAsync("alice", "t2");
        Assert.Equal("""{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}""", await intruder.ReceiveAsync());
        Assert.NotNull(await intruder.WaitForCloseAsync());

        using var bob = await RegisterAsync(b, "bob");
        await bob.SendAsync(new { type = "OFFER", dst = "alice", payload = 1 });
        Assert.Equal("""{"type":"OFFER","src":"bob","dst":"alice","payload":1}""", await alice.ReceiveAsync());
    }

    [Fact]
    public async Task OFFER_ANSWER_CANDIDATE_and_LEAVE_reach_the_instance_that_holds_the_target_with_src_set_by_the_server()
    {
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();
        var c = await StartInstanceAsync();
        using var alice = await RegisterAsync(a, "alice");
        using var bob = await RegisterAsync(b, "bob");
        using var carol = await RegisterAsync(c, "carol");

        await alice.SendAsync(new { type = "OFFER", dst = "bob", src = "mallory", payload = new { sdp = "o" }, extra = 1 });
        Assert.Equal("""{"type":"OFFER","src":"alice","dst":"bob","payload":{"sdp":"o"}}""", await bob.ReceiveAsync());
        await bob.SendAsync(new { type = "ANSWER", dst = "alice", payload = new { sdp = "a" } });
        Assert.Equal("""{"type":"ANSWER","src":"bob","dst":"alice","payload":{"sdp":"a"}}""", await alice.ReceiveAsync());
        for (var i = 0; i < 20; i++)
        {
            await carol.SendAsync(new { type = "CANDIDATE", dst = "alice", payload = i });
        }
        for (var i = 0; i < 20; i++)
        {
            // In order, as from one instance.
            Assert.Equal($$"""{"type":"CANDIDATE","src":"carol","dst":"alice","payload":{{i}}}""", await alice.ReceiveAsync());
        }
        await alice.SendAsync(new { type = "LEAVE", dst = "carol" });
        Assert.Equal("""{"type":"LEAVE","src":"alice","dst":"carol"}""", await carol.ReceiveAsync());
    }

    [Fact]
    public async Task Messages_for_an_id_not_connected_yet_wait_for_it_on_any_instance_and_come_in_order_after_OPEN()
    {
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();
        using var alice = await RegisterAsync(a, "alice");
        await alice.SendAsync(new { type = "OFFER", dst = "late", payload = 1 });
        await alice.SendAsync(new { type = "CANDIDATE", dst = "late", payload = 2 });
        // Held on the cluster, not by the sender's instance.
        await WaitUntilAsync(() => a.Services.GetRequiredService<SignalingHub>().QueuedFor("late") == 0, "nothing queued locally");

        using var late = await RegisterAsync(b, "late");
        Assert.Equal("""{"type":"OFFER","src":"alice","dst":"late","payload":1}""", await late.ReceiveAsync());
        Assert.Equal("""{"type":"CANDIDATE","src":"alice","dst":"late","payload":2}""", await late.ReceiveAsync());
    }

    [Fact]
    public async Task EXPIRE_goes_back_to_the_sender_once_per_destination_wherever_it_is()
    {
        var a = await StartInstanceAsync(o => o.ExpireTimeout = TimeSpan.FromSeconds(1));
        await StartInstanceAsync(o => o.ExpireTimeout = TimeSpan.FromSeconds(1));
        using var alice = await RegisterAsync(a, "alice");
        await alice.SendAsync(new { type = "OFFER", dst = "nobody", payload = 1 });
        await alice.SendAsync(new { type = "CANDIDATE", dst = "nobody", payload = 2 });

        Assert.Equal("""{"type":"EXPIRE","src":"nobody","dst":"alice"}""", await alice.ReceiveAsync(5000));
        Assert.Null(await alice.ReceiveAsync(2000));
    }

    [Fact]
    public async Task Discovery_lists_the_ids_of_every_instance()
    {
        var a = await StartInstanceAsync(o => o.AllowDiscovery = true);
        var b = await StartInstanceAsync(o => o.AllowDiscovery = true);
        using var alice = await RegisterAsync(a, "alice");
        using var bob = await RegisterAsync(b, "bob");

        foreach (var instance in new[] { a, b })
        {
            var ids = await instance.Http.GetFromJsonAsync<string[]>("peerjs/peers");
            Assert.Equal(["alice", "bob"], ids!.Order());
        }
    }

    [Fact]
    public async Task A_client_that_moves_to_another_instance_with_its_token_keeps_its_id_and_its_old_socket_is_closed()
    {
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();
        using var bob = await RegisterAsync(b, "bob");
        using var old = await RegisterAsync(a, "alice", "t1");

        using var moved = await RegisterAsync(b, "alice", "t1");
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await old.WaitForCloseAsync());
        await bob.SendAsync(new { type = "OFFER", dst = "alice", payload = 1 });
        Assert.Equal("""{"type":"OFFER","src":"bob","dst":"alice","payload":1}""", await moved.ReceiveAsync());
    }

    [Fact]
    public async Task The_ids_of_an_instance_that_dies_are_free_within_their_time_to_live_and_the_others_go_on()
    {
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();
        using var alice = await RegisterAsync(a, "alice", "t1");
        using var bob = await RegisterAsync(b, "bob");
        // Wait past one refresh, so the registration lives on its refreshed time to live.
        await Task.Delay(1000);

        // A crash, as Redis sees it: the instance stops talking to it at once, releasing and refreshing nothing.
        await a.Services.GetRequiredService<RedisSignalingBackplane>().DisposeAsync();

        using var stillTaken = await b.RegisterAsync("alice", "t2");
        Assert.Equal("""{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}""", await stillTaken.ReceiveAsync());
        var (again, took) = await RegisterOnceFreeAsync(b, "alice", "t2", timeoutMs: 4000);
        using var _ = again;
        Assert.True(took <= TimeSpan.FromSeconds(2.5), $"freed after {took}");

        await bob.SendAsync(new { type = "OFFER", dst = "alice", payload = 1 });
        Assert.Equal("""{"type":"OFFER","src":"bob","dst":"alice","payload":1}""", await again.ReceiveAsync());
    }

    [Fact]
    public async Task Through_a_Redis_restart_each_instance_serves_its_clients_then_republishes_and_relays_resume()
    {
        var a = await StartInstanceAsync();
        var b = await StartInstanceAsync();
        using var metrics = new MetricRecorder(a);
        using var alice = await RegisterAsync(a, "alice", "t1");
        using var bob = await RegisterAsync(b, "bob");
        await bob.SendAsync(new { type = "OFFER", dst = "alice", payload = 0 });
        Assert.Equal("""{"type":"OFFER","src":"bob","dst":"alice","payload":0}""", await alice.ReceiveAsync());

        await redis.StopAsync();
        await WaitUntilAsync(() => !Connected(a) && !Connected(b), "both instances to notice");
        var health = await a.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal($"redis {redis.Configuration}: unreachable", health.Entries["peer-signaling"].Data["backplane"]);
        // Local clients are still served, registrations included.
        using var dave = await RegisterAsync(a, "dave");
        await dave.SendAsync(new { type = "OFFER", dst = "alice", payload = 1 });
        Assert.Equal("""{"type":"OFFER","src":"dave","dst":"alice","payload":1}""", await alice.ReceiveAsync());

        await redis.StartAsync();
        await WaitUntilAsync(() => Connected(a) && Connected(b), "both instances to reconnect", 30_000);
        Assert.Equal(HealthStatus.Healthy, (await a.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);

        // The registrations are published again (Redis came back empty): ids stay unique, relays resume.
        using var intruder = await WaitForAnswerAsync(b, "dave", "other-token", """{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}""");
        await bob.SendAsync(new { type = "OFFER", dst = "dave", payload = 2 });
        Assert.Equal("""{"type":"OFFER","src":"bob","dst":"dave","payload":2}""", await dave.ReceiveAsync());
        // Until b has published bob again, a relay to bob waits in Redis for it (queued, not sent).
        await WaitUntilListedAsync(a, "bob");
        await alice.SendAsync(new { type = "ANSWER", dst = "bob", payload = 3 });
        Assert.Equal("""{"type":"ANSWER","src":"alice","dst":"bob","payload":3}""", await bob.ReceiveAsync());

        Assert.True(metrics.Sum("peerchat.signaling.backplane.reconnects") >= 1);
        Assert.True(metrics.Sum("peerchat.signaling.backplane.messages", "received") >= 2);
        // Counted when Redis answers the forward, which can come after bob has the message.
        await WaitUntilAsync(() => metrics.Sum("peerchat.signaling.backplane.messages", "sent") >= 1, "instance a to count its relay as sent");
        Assert.True(metrics.Count("peerchat.signaling.backplane.round_trip_time") >= 1);
    }

    [Fact]
    public async Task A_message_for_a_peer_on_another_instance_sent_while_Redis_is_away_reaches_it_when_Redis_is_back()
    {
        // Long enough that the message does not expire while Redis restarts.
        var a = await StartInstanceAsync(options => options.ExpireTimeout = TimeSpan.FromSeconds(60));
        var b = await StartInstanceAsync();
        using var bob = await RegisterAsync(b, "bob");

        await redis.StopAsync();
        await WaitUntilAsync(() => !Connected(a) && !Connected(b), "both instances to notice");
        using var carol = await RegisterAsync(a, "carol");
        await carol.SendAsync(new { type = "OFFER", dst = "bob", payload = 1 });
        await WaitUntilAsync(() => a.Services.GetRequiredService<SignalingHub>().QueuedFor("bob") == 1, "the offer to wait on instance a");

        await redis.StartAsync();
        // Whichever instance reaches Redis first: a forwards the offer, b republishes bob and takes what waited for him.
        Assert.Equal("""{"type":"OFFER","src":"carol","dst":"bob","payload":1}""", await bob.ReceiveAsync(30_000));
        Assert.Equal(0, a.Services.GetRequiredService<SignalingHub>().QueuedFor("bob"));
        await bob.SendAsync(new { type = "ANSWER", dst = "carol", payload = 2 });
        Assert.Equal("""{"type":"ANSWER","src":"bob","dst":"carol","payload":2}""", await carol.ReceiveAsync(10_000));
    }

    [Fact]
    public async Task An_instance_that_starts_while_Redis_is_down_serves_its_clients_and_joins_when_Redis_comes()
    {
        await redis.StopAsync();
        TestServer a;
        TestSocket alice;
        try
        {
            a = await StartInstanceAsync(waitForRedis: false);
            alice = await RegisterAsync(a, "alice");
            using var bob = await RegisterAsync(a, "bob");
            await alice.SendAsync(new { type = "OFFER", dst = "bob", payload = 1 });
            Assert.Equal("""{"type":"OFFER","src":"alice","dst":"bob","payload":1}""", await bob.ReceiveAsync());
            Assert.False(Connected(a));
        }
        finally
        {
            await redis.StartAsync();
        }
        using var _ = alice;
        await WaitUntilAsync(() => Connected(a), "the instance to connect", 30_000);
        var b = await StartInstanceAsync();
        using var taken = await WaitForAnswerAsync(b, "alice", "other-token", """{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}""");
    }

    /// <summary>Waits until Redis lists every one of <paramref name="ids"/>, as registered on some instance.</summary>
    private static async Task WaitUntilListedAsync(TestServer instance, params string[] ids)
    {
        var backplane = instance.Services.GetRequiredService<RedisSignalingBackplane>();
        var watch = Stopwatch.StartNew();
        while (await backplane.GetClusterIdsAsync(CancellationToken.None) is not { } listed || !ids.All(listed.Contains))
        {
            Assert.True(watch.ElapsedMilliseconds < 15_000, $"timed out waiting for Redis to list {string.Join(", ", ids)}");
            await Task.Delay(50);
        }
    }

    /// <summary>Registers until the first answer is <paramref name="expected"/> (registrations are republished within a refresh).</summary>
    private static async Task<TestSocket> WaitForAnswerAsync(TestServer instance, string id, string token, string expected)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var socket = await instance.RegisterAsync(id, token);
            var answer = await socket.ReceiveAsync(5000);
            if (answer == expected)
            {
                return socket;
            }
            socket.Dispose();
            Assert.True(watch.ElapsedMilliseconds < 10_000, $"{id}: answered {answer}, not {expected}");
            await Task.Delay(200);
        }
    }

    /// <summary>Measurements of one instance's <c>PeerChat.Signaling</c> meter.</summary>
    private sealed class MetricRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Name, double Value, string? Direction)> _measurements = [];

        public MetricRecorder(TestServer instance)
        {
            var factory = instance.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Meter.Name == SignalingMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.Start();
        }

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? direction = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "direction")
                {
                    direction = (string?)tag.Value;
                }
            }
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, value, direction));
            }
        }

        public double Sum(string name, string? direction = null)
        {
            lock (_measurements)
            {
                return _measurements.Where(m => m.Name == name && (direction is null || m.Direction == direction)).Sum(m => m.Value);
            }
        }

        public int Count(string name)
        {
            lock (_measurements)
            {
                return _measurements.Count(m => m.Name == name);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
