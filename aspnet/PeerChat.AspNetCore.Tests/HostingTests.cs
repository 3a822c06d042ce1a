using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PeerChat.AspNetCore.Tests;

/// <summary>Options validation, request timeouts, logging, the meter and the health check.</summary>
public class HostingTests
{
    [Fact]
    public void Every_invalid_field_gets_its_own_message()
    {
        var options = new PeerSignalingOptions
        {
            Key = "",
            ExpireTimeout = TimeSpan.Zero,
            AliveTimeout = TimeSpan.FromSeconds(-1),
            ExpireCheckInterval = TimeSpan.Zero,
            AliveCheckInterval = TimeSpan.FromDays(30),
            CloseTimeout = TimeSpan.FromSeconds(-1),
            ConcurrentLimit = -1,
            MaxMessageBytes = 0,
            MessagesPerSecond = double.NaN,
            MessageBurst = 0,
            MaxQueuedMessagesPerPeer = -1,
            MaxPendingSendsPerClient = 0,
            MaxPendingSendBytesPerClient = 0,
            MaxIdLength = 0,
        };
        options.AllowedOrigins.Add("https://ok.test");
        options.AllowedOrigins.Add("https://bad.test/path");

        var result = new PeerSignalingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var fields = new[]
        {
            "Key", "ExpireTimeout", "AliveTimeout", "ExpireCheckInterval", "AliveCheckInterval", "CloseTimeout", "ConcurrentLimit",
            "MaxMessageBytes", "MessagesPerSecond", "MessageBurst", "MaxQueuedMessagesPerPeer", "MaxPendingSendsPerClient",
            "MaxPendingSendBytesPerClient", "MaxIdLength", "AllowedOrigins[1]",
        };
        Assert.Equal(fields.Length, result.Failures!.Count());
        foreach (var field in fields)
        {
            Assert.Single(result.Failures!, f => f.Contains(field + ":", StringComparison.Ordinal) || f.Contains(field + " ", StringComparison.Ordinal));
        }
        Assert.True(new PeerSignalingOptionsValidator().Validate(null, new PeerSignalingOptions()).Succeeded);
    }

    [Fact]
    public void The_pending_bytes_cap_holds_at_least_one_senders_burst()
    {
        var options = new PeerSignalingOptions { MessageBurst = 100, MaxMessageBytes = 1000, MaxPendingSendBytesPerClient = 99_999 };
        var result = new PeerSignalingOptionsValidator().Validate(null, options);
        Assert.Contains(result.Failures!, f => f.Contains("MaxPendingSendBytesPerClient", StringComparison.Ordinal) && f.Contains("(100000)", StringComparison.Ordinal));
        options.MaxPendingSendBytesPerClient = 100_000;
        Assert.True(new PeerSignalingOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task Invalid_options_stop_the_application_at_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(o => o.MaxIdLength = 0));
        Assert.Contains("MaxIdLength", error.Message);
    }

    [Fact]
    public async Task Options_bind_from_the_PeerSignaling_configuration_section()
    {
        await using var server = await TestServer.StartAsync(configureBuilder: b => b.Configuration["PeerSignaling:MaxIdLength"] = "3");
        Assert.Equal(3, server.Services.GetRequiredService<IOptions<PeerSignalingOptions>>().Value.MaxIdLength);
    }

    [Fact]
    public async Task An_id_longer_than_MaxIdLength_gets_ERROR_and_close()
    {
        await using var server = await TestServer.StartAsync();
        using var tooLong = await server.RegisterAsync(new string('a', 65));
        Assert.Equal("""{"type":"ERROR","payload":{"msg":"ID is too long"}}""", await tooLong.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await tooLong.WaitForCloseAsync());
        using var longest = await server.RegisterAsync(new string('a', 64));
        Assert.Equal("""{"type":"OPEN"}""", await longest.ReceiveAsync());
    }

    [Fact]
    public async Task The_socket_is_exempt_from_request_timeouts()
    {
        await using var server = await TestServer.StartAsync(
            configureBuilder: b => b.Services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy { Timeout = TimeSpan.FromMilliseconds(200) }),
            configureApp: (app, _) => app.UseRequestTimeouts());
        using var a = await server.RegisterAsync("a");
        using var b = await server.RegisterAsync("b");
        Assert.Equal("""{"type":"OPEN"}""", await a.ReceiveAsync());
        Assert.Equal("""{"type":"OPEN"}""", await b.ReceiveAsync());
        await Task.Delay(800);
        await a.SendAsync(new { type = "OFFER", dst = "b", payload = 1 });
        Assert.Equal("""{"type":"OFFER","src":"a","dst":"b","payload":1}""", await b.ReceiveAsync());
    }

    [Fact]
    public async Task Allowed_origins_compare_case_insensitively()
    {
        await using var server = await TestServer.StartAsync(o => o.AllowedOrigins.Add("https://Site.Test"));
        using var socket = await server.ConnectAsync("key=peerjs&id=a&token=t", "https://site.test");
        Assert.Equal("""{"type":"OPEN"}""", await socket.ReceiveAsync());
    }

    [Fact]
    public async Task A_GenerateClientId_that_repeats_taken_ids_fails_clearly()
    {
        var hub = HubFactory.Create(new ManualTime(), o => o.GenerateClientId = () => "same");
        Assert.Equal("same", hub.GenerateClientId());
        await hub.ConnectAsync("same", "t", "peerjs", new FakeConnection());
        var error = Assert.Throws<InvalidOperationException>(() => hub.GenerateClientId());
        Assert.Contains("GenerateClientId", error.Message);
    }

    [Fact]
    public async Task Events_are_logged_with_their_ids_and_counted_by_the_meter()
    {
        var logs = new LogSink();
        using var meter = new MeterCapture(SignalingMetrics.MeterName);
        await using var server = await TestServer.StartAsync(
            o => o.MaxMessageBytes = 1000,
            configureBuilder: b => b.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        meter.Scope = server.Services.GetRequiredService<IMeterFactory>();

        using var a = await server.RegisterAsync("a");
        using var b = await server.RegisterAsync("b");
        await a.ReceiveAsync();
        await b.ReceiveAsync();
        await a.SendAsync(new { type = "OFFER", dst = "b", payload = 1 });
        await b.ReceiveAsync();
        await a.SendAsync(new { type = "OFFER", dst = "absent", payload = 1 });
        var hub = server.Services.GetRequiredService<SignalingHub>();
        await Until(() => hub.QueuedFor("absent") == 1);
        meter.Collect();
        Assert.Equal(2, meter.Last("peerchat.signaling.clients"));
        Assert.Equal(1, meter.Last("peerchat.signaling.queued_messages"));

        using var taken = await server.RegisterAsync("a", "other-token");
        await taken.WaitForCloseAsync();
        using var big = await server.RegisterAsync("big");
        await big.ReceiveAsync();
        await big.SendAsync(new string('x', 2000));
        await big.WaitForCloseAsync();
        await Until(() => logs.EventIds.Contains(5));
        Assert.Contains(1, logs.EventIds);   // connected
        Assert.Contains(3, logs.EventIds);   // id taken
        Assert.Contains(5, logs.EventIds);   // oversized message
        Assert.Equal(1, meter.Sum("peerchat.signaling.messages.relayed"));
        Assert.Equal(1, meter.Sum("peerchat.signaling.rejected", "id_taken"));
        Assert.Equal(1, meter.Sum("peerchat.signaling.rejected", "message_too_large"));
    }

    [Fact]
    public async Task Rejected_origins_and_rate_limits_are_logged_and_counted()
    {
        var logs = new LogSink();
        using var meter = new MeterCapture(SignalingMetrics.MeterName);
        await using var server = await TestServer.StartAsync(
            o =>
            {
                o.AllowedOrigins.Add("http://good.test");
                o.MessagesPerSecond = 1;
                o.MessageBurst = 1;
            },
            configureBuilder: b => b.Logging.AddProvider(logs));
        meter.Scope = server.Services.GetRequiredService<IMeterFactory>();
        await Assert.ThrowsAsync<WebSocketException>(() => server.ConnectAsync("key=peerjs&id=e&token=t", "http://evil.test"));
        using var flood = await server.RegisterAsync("f");
        await flood.ReceiveAsync();
        for (var i = 0; i < 3; i++)
        {
            await flood.SendAsync(new { type = "HEARTBEAT" });
        }
        await flood.WaitForCloseAsync();
        await Until(() => logs.EventIds.Contains(4));
        Assert.Contains(6, logs.EventIds);
        Assert.Equal(1, meter.Sum("peerchat.signaling.rejected", "origin_rejected"));
        Assert.Equal(1, meter.Sum("peerchat.signaling.rejected", "rate_limited"));
    }

    [Fact]
    public async Task Health_check_is_healthy_then_degraded_at_the_concurrent_limit()
    {
        await using var server = await TestServer.StartAsync(
            o => o.ConcurrentLimit = 1,
            configureBuilder: b => b.Services.AddHealthChecks().AddPeerSignaling());
        var health = server.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
        using var a = await server.RegisterAsync("a");
        await a.ReceiveAsync();
        var report = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, report.Entries["peer-signaling"].Status);
        Assert.Equal(1L, report.Entries["peer-signaling"].Data["clients"]);
    }

    [Fact]
    public async Task Health_check_is_unhealthy_when_the_timers_stopped()
    {
        var time = new ManualTime();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(time);
        services.AddPeerSignaling();
        services.AddHealthChecks().AddPeerSignaling();
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync()).Status);
        provider.GetRequiredService<SignalingHub>().DropSilentClients();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task AddPeerSignaling_returns_a_builder_and_registers_once()
    {
        var services = new ServiceCollection();
        var builder = services.AddPeerSignaling();
        Assert.Same(services, builder.Services);
        services.AddPeerSignaling(o => o.MaxIdLength = 10);
        Assert.Single(services, d => d.ServiceType == typeof(SignalingHub));
        Assert.Single(services, d => d.ImplementationType == typeof(Hosting.SignalingMaintenanceService));
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition());
    }

    private sealed class LogSink : ILoggerProvider
    {
        private readonly List<int> _ids = new();

        public IReadOnlyList<int> EventIds
        {
            get
            {
                lock (_ids)
                {
                    return _ids.ToList();
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName == typeof(SignalingHub).FullName ? _ids : null);

        public void Dispose()
        {
        }

        private sealed class Logger(List<int>? ids) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => ids is not null;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (ids is null)
                {
                    return;
                }
                lock (ids)
                {
                    ids.Add(eventId.Id);
                }
            }
        }
    }

    /// <summary>Listens to one meter as OpenTelemetry would.</summary>
    private sealed class MeterCapture : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(object? Scope, string Name, long Value, string? Reason)> _values = new();

        /// <summary>Only the meter of this factory (tests run in parallel, each server with its own).</summary>
        public object? Scope { get; set; }

        public MeterCapture(string meterName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == meterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string? reason = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason")
                    {
                        reason = tag.Value as string;
                    }
                }
                lock (_values)
                {
                    _values.Add((instrument.Meter.Scope, instrument.Name, value, reason));
                }
            });
            _listener.Start();
        }

        public void Collect() => _listener.RecordObservableInstruments();

        public long Last(string name)
        {
            lock (_values)
            {
                return _values.Last(v => v.Scope == Scope && v.Name == name).Value;
            }
        }

        public long Sum(string name, string? reason = null)
        {
            lock (_values)
            {
                return _values.Where(v => v.Scope == Scope && v.Name == name && (reason is null || v.Reason == reason)).Sum(v => v.Value);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
