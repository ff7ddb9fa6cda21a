package meservice.reliability;

import java.util.List;
import meservice.support.Tokens;

/** The requests the reliability suites send: real sessions, valid bodies. */
final class Load {

  static final List<String> ZONES = List.of(
      "UTC", "Europe/Oslo", "Asia/Seoul", "America/New_York", "Africa/Nairobi", "Australia/Perth",
      "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Auckland", "Europe/Lisbon");

  private Load() {}

  /** A session of a new user, valid for ten minutes: longer than any suite runs. */
  static String longSession(String sub) {
    return Tokens.sign(Tokens.claims(sub).put("exp", Tokens.now() + 600));
  }

  static String timezoneBody(String zone) {
    return "{\"preferences\": {\"timezone\": \"" + zone + "\"}}";
  }

  /** Client {@code i}: its own user, alternately read and patched to the next zone. */
  static Traffic.Client getOrPatchOwnUser(int i) {
    String token = longSession(Tokens.newUserId());
    return (api, sequence) -> sequence % 2 == 0
        ? api.get(token)
        : api.patch(token, timezoneBody(ZONES.get((int) (sequence / 2 % ZONES.size()))));
  }
}
