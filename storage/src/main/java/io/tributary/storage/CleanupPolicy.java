package io.tributary.storage;

/**
 * What happens to old data in a log ({@code cleanup.policy}). {@code delete} drops whole segments by time and size;
 * {@code compact} keeps only the newest record per key; a topic may ask for both, as Kafka Streams' windowed
 * changelogs do.
 */
public enum CleanupPolicy {
    DELETE(true, false), COMPACT(false, true), COMPACT_DELETE(true, true);

    private final boolean delete;
    private final boolean compact;

    CleanupPolicy(boolean delete, boolean compact) {
        this.delete = delete;
        this.compact = compact;
    }

    /** Whether retention by time and size applies. */
    public boolean delete() {
        return delete;
    }

    /** Whether the log cleaner compacts this log. */
    public boolean compact() {
        return compact;
    }

    /**
     * Parses Kafka's list syntax ("compact", "delete", "compact,delete" in any order and spacing).
     *
     * @return null when the list is empty or names anything else
     */
    public static CleanupPolicy parse(String list) {
        boolean delete = false;
        boolean compact = false;
        for (String item : list.split(",")) {
            switch (item.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "delete" -> delete = true;
                case "compact" -> compact = true;
                default -> {
                    return null;
                }
            }
        }
        if (delete && compact) {
            return COMPACT_DELETE;
        }
        return delete ? DELETE : compact ? COMPACT : null;
    }
}
