using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore.Backplane;

/// <summary>One instance: every id is claimed here, and nothing is forwarded.</summary>
internal sealed class LocalSignalingBackplane : ISignalingBackplane
{
    public BackplaneHealth? Health => null;

    public ValueTask<BackplaneClaim> ClaimAsync(string id, string token) => ValueTask.FromResult(BackplaneClaim.Local);

    public void Release(string id, string token)
    {
    }

    public bool TryForward(SignalingMessage message) => false;

    public Task<IReadOnlyCollection<string>?> GetClusterIdsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<string>?>(null);
}
