package meservice.support;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import meservice.http.ErrorCode;
import meservice.me.TimezonePreference;

/** Every error code the API can answer: the shared ones and each feature's, as declared. */
public final class ErrorCodes {

  private ErrorCodes() {}

  public static List<ErrorCode> all() {
    List<ErrorCode> codes = new ArrayList<>();
    for (Class<?> owner : List.of(ErrorCode.class, TimezonePreference.class)) {
      for (Field field : owner.getFields()) {
        if (Modifier.isStatic(field.getModifiers()) && field.getType() == ErrorCode.class) {
          try {
            codes.add((ErrorCode) field.get(null));
          } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return codes;
  }
}
