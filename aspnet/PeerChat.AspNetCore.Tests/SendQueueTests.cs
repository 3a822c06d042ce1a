using System.Net.WebSockets;
using PeerChat.AspNetCore.Transport;

namespace PeerChat.AspNetCore.Tests;

/// <summary>The queue of frames waiting behind a send in flight, on a socket whose sends wait until released.</summary>
public class SendQueueTests
{
    /// <summary>A WebSocket whose client reads nothing until <see cref="Release"/>: each send waits until then.</summary>
    private sealed class StalledSocket : WebSocket
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int FramesSent { get; private set; }

        public void Release() => _released.TrySetResult();

        public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            await _released.Task;
            FramesSent++;
        }

        public override WebSocketCloseStatus? CloseStatus => null;
        public override string? CloseStatusDescription => null;
        public override WebSocketState State => WebSocketState.Open;
        public override string? SubProtocol => null;
        public override void Abort() => _released.TrySetResult();
        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;
        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;
        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) => new TaskCompletionSource<WebSocketReceiveResult>().Task;
        public override void Dispose() { }
    }

    [Fact]
    public async Task A_client_that_stops_reading_holds_at_most_the_byte_limit_of_frames_whatever_their_count()
    {
        var socket = new StalledSocket();
        using var connection = new WebSocketPeerConnection(socket, maxPending: 1000, maxPendingBytes: 100_000, TimeSpan.FromSeconds(5));
        // The first is in flight; 20 KB frames wait behind it up to 100 KB.
        Assert.True(connection.TrySend(new byte[20_000]));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(connection.TrySend(new byte[20_000]));
        }
        Assert.False(connection.TrySend(new byte[1]));
        // A frame larger than the limit may always wait alone.
        var other = new WebSocketPeerConnection(new StalledSocket(), maxPending: 1000, maxPendingBytes: 100_000, TimeSpan.FromSeconds(5));
        Assert.True(other.TrySend(new byte[10]));
        Assert.True(other.TrySend(new byte[200_000]));
        Assert.False(other.TrySend(new byte[1]));
        // Once the client reads, the queue drains and takes frames again.
        socket.Release();
        await WaitUntil(() => socket.FramesSent == 6);
        Assert.True(connection.TrySend(new byte[20_000]));
        await WaitUntil(() => socket.FramesSent == 7);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 10)
        {
            Assert.True(waited < 5000, "timed out");
            await Task.Delay(10);
        }
    }
}
