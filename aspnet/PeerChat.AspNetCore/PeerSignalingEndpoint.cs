namespace PeerChat.AspNetCore;

/// <summary>Where <c>MapPeerSignaling</c> mounted the endpoint, for the tag helper's default <c>path</c>.</summary>
internal sealed class PeerSignalingEndpoint
{
    private string? _path;

    /// <summary>The first pattern mapped, e.g. <c>/peerjs</c>; null when the endpoint is not mapped.</summary>
    public string? Path => Volatile.Read(ref _path);

    public void Map(string path) => Interlocked.CompareExchange(ref _path, path, null);
}
