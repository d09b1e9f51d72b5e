package io.pipelinesecrets.contracts;

/**
 * Text from a record (a key, an id, a path) as it may appear in an error message, a log line, a dead-letter header
 * or an audit field: control characters escaped, so that it cannot forge a line or break a header, and cut to a
 * bound, so that a 600 KB key copied into a message cannot make the record that carries the message too large to
 * write. Never for values: a secret value appears in no message at all.
 */
public final class SafeText {

    /** Characters of the text kept; the rest is summarised by its length. */
    public static final int MAX_SHOWN = 128;

    private SafeText() {
    }

    /** The text in single quotes, escaped and bounded; {@code null} for null. */
    public static String quoted(String text) {
        return text == null ? "null" : "'" + printable(text) + "'";
    }

    /** The text escaped and, beyond {@link #MAX_SHOWN} characters, cut with a note of its full length. */
    public static String printable(String text) {
        int shown = Math.min(text.length(), MAX_SHOWN);
        StringBuilder out = new StringBuilder(shown + 32);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) && !isPairedSurrogate(text, i, shown)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (shown < text.length()) {
            out.append("...(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }

    /** A surrogate whose partner is inside the shown part: cutting between the two would leave invalid UTF-16. */
    private static boolean isPairedSurrogate(String text, int i, int shown) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < shown && Character.isLowSurrogate(text.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
