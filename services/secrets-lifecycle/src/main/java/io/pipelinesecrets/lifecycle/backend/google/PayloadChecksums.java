package io.pipelinesecrets.lifecycle.backend.google;

import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.protobuf.ByteString;

import java.security.MessageDigest;
import java.util.zip.CRC32C;

/**
 * Whether a secret's latest version already holds the value a run needs, for adopting a secret after a retry or a
 * replay. Compared by the CRC32C Secret Manager carries with every payload, then byte for byte in constant time, since
 * a CRC alone lets one changed value in 2^32 pass as unchanged. The value read back is compared and dropped: never
 * logged, audited or put into an exception.
 */
final class PayloadChecksums {

    private PayloadChecksums() {
    }

    static long crc32c(ByteString data) {
        CRC32C crc = new CRC32C();
        crc.update(data.asReadOnlyByteBuffer());
        return crc.getValue();
    }

    /** The payload to add, with its checksum, so Secret Manager refuses one corrupted on the way. */
    static SecretPayload payloadOf(ByteString data) {
        return SecretPayload.newBuilder().setData(data).setDataCrc32C(crc32c(data)).build();
    }

    static boolean holds(SecretPayload latest, ByteString wanted) {
        long latestCrc = latest.hasDataCrc32C() ? latest.getDataCrc32C() : crc32c(latest.getData());
        return latestCrc == crc32c(wanted)
                && MessageDigest.isEqual(latest.getData().toByteArray(), wanted.toByteArray());
    }
}
