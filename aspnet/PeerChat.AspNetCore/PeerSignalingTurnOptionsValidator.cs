using Microsoft.Extensions.Options;

namespace PeerChat.AspNetCore;

/// <summary>Checks <see cref="PeerSignalingOptions.Turn"/>: both of URLs and secret or neither, turn: URLs, the lifetime's bounds.</summary>
internal sealed class PeerSignalingTurnOptionsValidator : IValidateOptions<PeerSignalingOptions>
{
    public ValidateOptionsResult Validate(string? name, PeerSignalingOptions options)
    {
        var turn = options.Turn;
        var builder = new ValidateOptionsResultBuilder();
        const string prefix = nameof(PeerSignalingOptions.Turn) + ".";
        if (turn.Urls.Count > 0 != !string.IsNullOrEmpty(turn.Secret))
        {
            builder.AddError("Urls and Secret go together: set both, or neither.", prefix + nameof(turn.Urls));
        }
        for (var i = 0; i < turn.Urls.Count; i++)
        {
            var url = turn.Urls[i];
            if (url is null || !(url.StartsWith("turn:", StringComparison.Ordinal) || url.StartsWith("turns:", StringComparison.Ordinal)) || url.Length < 7)
            {
                builder.AddError($"must be a turn: or turns: URL (was \"{url}\").", $"{prefix}{nameof(turn.Urls)}[{i}]");
            }
        }
        if (turn.CredentialLifetime < TimeSpan.FromSeconds(1) || turn.CredentialLifetime > PeerSignalingTurnOptions.MaxCredentialLifetime)
        {
            builder.AddError(
                $"must be at least 00:00:01 and at most {PeerSignalingTurnOptions.MaxCredentialLifetime} (was {turn.CredentialLifetime}).",
                prefix + nameof(turn.CredentialLifetime));
        }
        return builder.Build();
    }
}
