namespace PeerChat.AspNetCore.Transport;

/// <summary>
/// Per-client message budget: <paramref name="capacity"/> messages at once, refilled at
/// <paramref name="perSecond"/>. Used by one receive loop only, so it needs no locking.
/// </summary>
internal sealed class TokenBucket(double perSecond, int capacity, DateTimeOffset now)
{
    private double _tokens = capacity;
    private DateTimeOffset _last = now;

    /// <summary>Takes one token; false when the client is over its rate.</summary>
    public bool TryTake(DateTimeOffset now)
    {
        var elapsed = (now - _last).TotalSeconds;
        if (elapsed > 0)
        {
            _tokens = Math.Min(capacity, _tokens + elapsed * perSecond);
            _last = now;
        }
        if (_tokens < 1)
        {
            return false;
        }
        _tokens -= 1;
        return true;
    }
}
