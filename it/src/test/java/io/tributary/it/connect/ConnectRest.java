package io.tributary.it.connect;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The Connect REST API as an operator uses it (curl against {@code /connectors}): plain HTTP and JSON, so what is
 * tested is the public interface of the worker, not its classes.
 */
final class ConnectRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Connect itself waits up to 90 s for the herder on a write; a slow broker should fail the request, not hang. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(100);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ConnectRest(URI base) {
        this.base = base;
    }

    /** An answer: the HTTP status and the parsed body (null when empty). */
    record Reply(int status, JsonNode body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    /** POST /connectors: creates a connector, answered 201 with its info once the config topic has it. */
    Reply createConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("name", name, "config", config));
        return send(HttpRequest.newBuilder(base.resolve("/connectors"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** GET /connectors/name/config, which the worker answers from the configs it read from the config topic. */
    Map<String, String> config(String name) throws IOException, InterruptedException {
        Reply r = get("/connectors/" + name + "/config");
        if (!r.ok()) {
            throw new AssertionError("GET config of " + name + ": " + r);
        }
        return JSON.convertValue(r.body(), new TypeReference<Map<String, String>>() { });
    }

    /** True when the connector and every one of its (at least one) tasks report RUNNING. */
    boolean running(String name) throws IOException, InterruptedException {
        Reply r = get("/connectors/" + name + "/status");
        if (!r.ok()) {
            return false;
        }
        JsonNode tasks = r.body().path("tasks");
        boolean allTasks = tasks.size() > 0;
        for (JsonNode t : tasks) {
            allTasks &= "RUNNING".equals(t.path("state").asText());
        }
        return allTasks && "RUNNING".equals(r.body().path("connector").path("state").asText());
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(REQUEST_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        return new Reply(response.statusCode(), body == null || body.isBlank() ? null : JSON.readTree(body));
    }
}
