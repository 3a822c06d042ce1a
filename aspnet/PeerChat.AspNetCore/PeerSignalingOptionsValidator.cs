using Microsoft.Extensions.Options;

namespace PeerChat.AspNetCore;

/// <summary>Checks every limit and interval of <see cref="PeerSignalingOptions"/>, one message per invalid field.</summary>
internal sealed class PeerSignalingOptionsValidator : IValidateOptions<PeerSignalingOptions>
{
    public ValidateOptionsResult Validate(string? name, PeerSignalingOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        if (string.IsNullOrEmpty(options.Key))
        {
            builder.AddError("must not be empty.", nameof(options.Key));
        }
        Positive(builder, options.ExpireTimeout, nameof(options.ExpireTimeout));
        Positive(builder, options.AliveTimeout, nameof(options.AliveTimeout));
        Positive(builder, options.ExpireCheckInterval, nameof(options.ExpireCheckInterval));
        Positive(builder, options.AliveCheckInterval, nameof(options.AliveCheckInterval));
        // Zero is allowed: abort the socket at once instead of waiting for the client's close frame.
        if (options.CloseTimeout < TimeSpan.Zero || options.CloseTimeout > MaxInterval)
        {
            builder.AddError($"must be between 00:00:00 and {MaxInterval} (was {options.CloseTimeout}).", nameof(options.CloseTimeout));
        }
        AtLeast(builder, options.ConcurrentLimit, 0, nameof(options.ConcurrentLimit));
        AtLeast(builder, options.MaxMessageBytes, 1, nameof(options.MaxMessageBytes));
        AtLeast(builder, options.MessageBurst, 1, nameof(options.MessageBurst));
        AtLeast(builder, options.MaxQueuedMessagesPerPeer, 0, nameof(options.MaxQueuedMessagesPerPeer));
        AtLeast(builder, options.MaxPendingSendsPerClient, 1, nameof(options.MaxPendingSendsPerClient));
        AtLeast(builder, options.MaxPendingSendBytesPerClient, 1, nameof(options.MaxPendingSendBytesPerClient));
        var burstBytes = (long)options.MessageBurst * options.MaxMessageBytes;
        if (options.MaxPendingSendBytesPerClient >= 1 && options.MaxPendingSendBytesPerClient < burstBytes)
        {
            builder.AddError(
                $"must be at least MessageBurst × MaxMessageBytes ({burstBytes}), so that one sender's burst cannot get a client that reads dropped (was {options.MaxPendingSendBytesPerClient}).",
                nameof(options.MaxPendingSendBytesPerClient));
        }
        AtLeast(builder, options.MaxIdLength, 1, nameof(options.MaxIdLength));
        if (!(options.MessagesPerSecond > 0) || double.IsInfinity(options.MessagesPerSecond))
        {
            builder.AddError($"must be a positive finite number (was {options.MessagesPerSecond}).", nameof(options.MessagesPerSecond));
        }
        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            var origin = options.AllowedOrigins[i];
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || origin.EndsWith('/'))
            {
                builder.AddError($"must be an origin such as \"https://example.org\" (was \"{origin}\").", $"{nameof(options.AllowedOrigins)}[{i}]");
            }
        }
        return builder.Build();
    }

    // Timers longer than this do not fit a PeriodicTimer or CancelAfter.
    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(24);

    private static void Positive(ValidateOptionsResultBuilder builder, TimeSpan value, string field)
    {
        if (value <= TimeSpan.Zero || value > MaxInterval)
        {
            builder.AddError($"must be more than 00:00:00 and at most {MaxInterval} (was {value}).", field);
        }
    }

    private static void AtLeast(ValidateOptionsResultBuilder builder, int value, int minimum, string field)
    {
        if (value < minimum)
        {
            builder.AddError($"must be at least {minimum} (was {value}).", field);
        }
    }
}
