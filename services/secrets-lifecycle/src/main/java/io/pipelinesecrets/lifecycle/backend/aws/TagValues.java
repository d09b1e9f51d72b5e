package io.pipelinesecrets.lifecycle.backend.aws;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Tag values in a form Secrets Manager accepts, whatever the id they carry. Workspace and user ids come from the
 * platform and may hold characters a tag may not ('#', '%', '<', emoji, combining marks); CreateSecret would then
 * fail with a ValidationException and the run would fail for good. So:
 *
 * <ul>
 *   <li>a value that already fits the tag rules is written as it is (every id of letters, digits and {@code -_.@}
 *       in any script, which is nearly all of them);</li>
 *   <li>otherwise {@code b64:} + its UTF-8 bytes in base64url without padding, which any base64 tool decodes;</li>
 *   <li>and when even that is longer than 256 characters (long ids of multi-byte characters: 128 euro signs are
 *       384 bytes, 512 base64 characters), or UTF-8 cannot carry the id (an unpaired surrogate), {@code b4096:} +
 *       its UTF-16 code units as base-4096 digits, each written as one CJK ideograph of U+4E00 to U+5DFF. Those
 *       are letters to the tag rule, so any 128-character id takes at most 6 + 171 characters.</li>
 * </ul>
 * The forms cannot be confused: an encoded value holds a ':', and an owner id never does
 * ({@link io.pipelinesecrets.contracts.SecretKey#ownerIdProblem}). Lengths are counted in UTF-16 units, which are
 * never fewer than the code points Secrets Manager counts.
 */
final class TagValues {

    /** Secrets Manager's pattern for tag keys and values. */
    static final Pattern TAG_TEXT = Pattern.compile("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$");
    static final int MAX_VALUE_LENGTH = 256;
    static final String BASE64_PREFIX = "b64:";
    static final String BASE4096_PREFIX = "b4096:";

    private static final int DIGIT_BITS = 12;
    private static final int UNIT_BITS = 16;
    /** The first of 4096 consecutive CJK unified ideographs (general category Lo since Unicode 1.1). */
    private static final char ZERO_DIGIT = '\u4E00';

    private TagValues() {
    }

    /** The value to write for {@code text}: itself when it fits, else a reversible encoding that does. */
    static String encode(String text) {
        if (fits(text)) {
            return text;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        String base64 = BASE64_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(utf8);
        // UTF-8 cannot carry an unpaired surrogate (it becomes '?'); the dense form keeps every UTF-16 unit.
        boolean reversible = new String(utf8, StandardCharsets.UTF_8).equals(text);
        return reversible && base64.length() <= MAX_VALUE_LENGTH ? base64 : BASE4096_PREFIX + base4096(text);
    }

    /** The text {@link #encode} was given; the service itself only ever compares encoded forms. */
    static String decode(String value) {
        if (value.startsWith(BASE64_PREFIX)) {
            return new String(Base64.getUrlDecoder().decode(value.substring(BASE64_PREFIX.length())), StandardCharsets.UTF_8);
        }
        if (value.startsWith(BASE4096_PREFIX)) {
            return fromBase4096(value.substring(BASE4096_PREFIX.length()));
        }
        return value;
    }

    /** Whether a value may be written as it is. */
    static boolean fits(String value) {
        return value.length() <= MAX_VALUE_LENGTH && TAG_TEXT.matcher(value).matches();
    }

    /** Why {@code value} cannot be written as it is, for settings that are compared literally (instance.id). */
    static Optional<String> problem(String value) {
        if (value.length() > MAX_VALUE_LENGTH) {
            return Optional.of("is longer than " + MAX_VALUE_LENGTH + " characters, the limit of a Secrets Manager tag value");
        }
        if (!TAG_TEXT.matcher(value).matches()) {
            return Optional.of("holds a character a Secrets Manager tag may not: use letters, digits, spaces and _.:/=+-@");
        }
        return Optional.empty();
    }

    private static String base4096(String text) {
        StringBuilder digits = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < text.length(); i++) {
            buffer = (buffer << UNIT_BITS) | text.charAt(i);
            bits += UNIT_BITS;
            while (bits >= DIGIT_BITS) {
                bits -= DIGIT_BITS;
                digits.append((char) (ZERO_DIGIT + ((buffer >>> bits) & 0xFFF)));
            }
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0) {
            // The last digit is zero-padded on the right; decoding drops the padding, fewer than 16 bits.
            digits.append((char) (ZERO_DIGIT + ((buffer << (DIGIT_BITS - bits)) & 0xFFF)));
        }
        return digits.toString();
    }

    private static String fromBase4096(String digits) {
        StringBuilder text = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < digits.length(); i++) {
            int digit = digits.charAt(i) - ZERO_DIGIT;
            if (digit < 0 || digit > 0xFFF) {
                throw new IllegalArgumentException("not a base-4096 tag value: character " + i + " is out of range");
            }
            buffer = (buffer << DIGIT_BITS) | digit;
            bits += DIGIT_BITS;
            if (bits >= UNIT_BITS) {
                bits -= UNIT_BITS;
                text.append((char) ((buffer >>> bits) & 0xFFFF));
                buffer &= (1 << bits) - 1;
            }
        }
        return text.toString();
    }
}
