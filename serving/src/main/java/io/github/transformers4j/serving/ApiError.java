package io.github.transformers4j.serving;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * A request the server refuses or could not finish, answered as OpenAI answers errors: an HTTP
 * status and {@code {"error": {"message", "type", "param", "code"}}}. The message is for the user
 * (it names the field and what was expected), never a stack trace.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String param;
  private final String code;

  /** An error with HTTP {@code status}, OpenAI error {@code type}, the offending parameter and a code. */
  public ApiError(int status, String type, String message, String param, String code) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400: a request field is missing, of the wrong type or out of range. */
  public static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", message, param, null);
  }

  /** 404: no model of that name is served. */
  public static ApiError unknownModel(String name, Iterable<String> served) {
    return new ApiError(
        404,
        "invalid_request_error",
        "The model '" + name + "' does not exist; this server serves: " + String.join(", ", served),
        "model",
        "model_not_found");
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The OpenAI error type ({@code invalid_request_error}, {@code server_error}, ...). */
  public String type() {
    return type;
  }

  /** The request parameter at fault, or {@code null}. */
  public String param() {
    return param;
  }

  /** The body OpenAI's clients parse. */
  public JsonObject toJson() {
    JsonObject e = new JsonObject();
    e.addProperty("message", getMessage());
    e.addProperty("type", type);
    if (param == null) {
      e.add("param", JsonNull.INSTANCE);
    } else {
      e.addProperty("param", param);
    }
    if (code == null) {
      e.add("code", JsonNull.INSTANCE);
    } else {
      e.addProperty("code", code);
    }
    JsonObject o = new JsonObject();
    o.add("error", e);
    return o;
  }
}
