using Microsoft.Extensions.Options;

namespace PeerChat.AspNetCore.Redis;

/// <summary>Checks <see cref="RedisSignalingOptions"/> when the application starts.</summary>
internal sealed class RedisSignalingOptionsValidator : IValidateOptions<RedisSignalingOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisSignalingOptions options)
    {
        var failures = new List<string>();
        if (options.Configuration is null || options.Configuration.EndPoints.Count == 0)
        {
            failures.Add("Property Configuration: needs at least one Redis endpoint, e.g. \"127.0.0.1:6379\".");
        }
        if (string.IsNullOrEmpty(options.ChannelPrefix))
        {
            failures.Add("Property ChannelPrefix: must not be empty.");
        }
        if (options.RegistrationTimeToLive < TimeSpan.FromSeconds(1) || options.RegistrationTimeToLive > TimeSpan.FromHours(1))
        {
            failures.Add($"Property RegistrationTimeToLive: must be between 1 s and 1 h (was {options.RegistrationTimeToLive}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
