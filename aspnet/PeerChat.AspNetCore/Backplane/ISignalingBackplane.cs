using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore.Backplane;

/// <summary>
/// What the hub asks of the other instances of the site (PeerChat.AspNetCore.Redis implements it; the
/// default, <see cref="LocalSignalingBackplane"/>, is a single instance). Calls made under the hub's lock
/// (<see cref="Release"/>, <see cref="TryForward"/>) must return at once; their order must be kept.
/// </summary>
internal interface ISignalingBackplane
{
    /// <summary>Null for a single instance; else whether the instances can reach each other, for the health check.</summary>
    BackplaneHealth? Health { get; }

    /// <summary>
    /// Takes <paramref name="id"/> for <paramref name="token"/> across the cluster, with the messages that wait for
    /// it on any instance. An id held elsewhere with the same token moves here (a client that changed instance).
    /// While the instances cannot reach each other, the id is claimed on this instance alone.
    /// </summary>
    ValueTask<BackplaneClaim> ClaimAsync(string id, string token);

    /// <summary>Gives the id up, if this instance still holds it for <paramref name="token"/>.</summary>
    void Release(string id, string token);

    /// <summary>
    /// Takes a message whose destination is not connected here: relayed to the instance that holds it, or
    /// queued for it across the cluster (or dropped, as a local LEAVE or EXPIRE for an absent peer is).
    /// False when there is no other instance to ask: the caller handles it locally.
    /// </summary>
    bool TryForward(SignalingMessage message);

    /// <summary>Ids registered on every instance, or null when they cannot be listed (the caller lists its own).</summary>
    Task<IReadOnlyCollection<string>?> GetClusterIdsAsync(CancellationToken cancellationToken);
}

/// <summary>The answer to <see cref="ISignalingBackplane.ClaimAsync"/>.</summary>
/// <param name="Claimed">False: another client (another token) holds the id on another instance.</param>
/// <param name="Pending">Frames that waited for the id, oldest first, already serialized for the client.</param>
internal readonly record struct BackplaneClaim(bool Claimed, IReadOnlyList<byte[]> Pending)
{
    public static BackplaneClaim Local { get; } = new(true, []);

    public static BackplaneClaim Taken { get; } = new(false, []);
}

/// <summary>The backplane's state for the health check.</summary>
/// <param name="Connected">Whether relays between instances work.</param>
/// <param name="Description">For the health check's data, e.g. <c>"redis 127.0.0.1:6379: connected"</c>.</param>
internal readonly record struct BackplaneHealth(bool Connected, string Description);
