package io.tributary.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * kcat-style output formats for {@code trib consume}, compiled once into a list of parts so each record only
 * appends. Tokens: {@code %t} topic, {@code %p} partition, {@code %o} offset, {@code %T} timestamp (ms),
 * {@code %k} key, {@code %s} value, {@code %K}/{@code %S} key/value length in bytes (-1 when null), {@code %h}
 * headers as {@code name=value,...}, {@code %%} a percent sign; escapes {@code \n \r \t \\}. A null key or value
 * prints as nothing, as in kcat.
 */
final class RecordFormat {
    static final String DEFAULT = "%s\\n";

    @FunctionalInterface
    private interface Part {
        void append(StringBuilder out, ConsumerRecord<byte[], byte[]> record);
    }

    private final List<Part> parts;

    private RecordFormat(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** Compiles {@code format}; an unknown token or escape is an {@link IllegalArgumentException} naming it. */
    static RecordFormat parse(String format) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' && c != '\\') {
                literal.append(c);
                continue;
            }
            if (i + 1 >= format.length()) {
                throw new IllegalArgumentException("format ends with a lone '" + c + "'");
            }
            char next = format.charAt(++i);
            if (c == '\\') {
                literal.append(switch (next) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case '\\' -> '\\';
                    default -> throw new IllegalArgumentException("unknown escape \\" + next + " in format");
                });
                continue;
            }
            if (next == '%') {
                literal.append('%');
                continue;
            }
            Part token = token(next);
            if (literal.length() > 0) {
                String text = literal.toString();
                parts.add((out, r) -> out.append(text));
                literal.setLength(0);
            }
            parts.add(token);
        }
        if (literal.length() > 0) {
            String text = literal.toString();
            parts.add((out, r) -> out.append(text));
        }
        return new RecordFormat(parts);
    }

    private static Part token(char c) {
        return switch (c) {
            case 't' -> (out, r) -> out.append(r.topic());
            case 'p' -> (out, r) -> out.append(r.partition());
            case 'o' -> (out, r) -> out.append(r.offset());
            case 'T' -> (out, r) -> out.append(r.timestamp());
            case 'k' -> (out, r) -> appendText(out, r.key());
            case 's' -> (out, r) -> appendText(out, r.value());
            case 'K' -> (out, r) -> out.append(r.key() == null ? -1 : r.key().length);
            case 'S' -> (out, r) -> out.append(r.value() == null ? -1 : r.value().length);
            case 'h' -> RecordFormat::appendHeaders;
            default -> throw new IllegalArgumentException("unknown token %" + c + " in format");
        };
    }

    void append(StringBuilder out, ConsumerRecord<byte[], byte[]> record) {
        for (Part p : parts) {
            p.append(out, record);
        }
    }

    private static void appendText(StringBuilder out, byte[] bytes) {
        if (bytes != null) {
            out.append(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    private static void appendHeaders(StringBuilder out, ConsumerRecord<byte[], byte[]> record) {
        boolean first = true;
        for (Header h : record.headers()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(h.key()).append('=');
            appendText(out, h.value());
        }
    }
}
