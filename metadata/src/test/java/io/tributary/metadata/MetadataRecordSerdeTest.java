package io.tributary.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/**
 * Round trips and corruption detection of the batch codec. The randomized tests use fixed seeds, so a failure
 * is reproducible, and generate every record type with edge values (negative ids, nulls, unicode, long strings).
 */
class MetadataRecordSerdeTest {

  static List<MetadataRecord> randomBatch(Random r) {
    List<MetadataRecord> out = new ArrayList<>();
    int n = r.nextInt(12);
    for (int i = 0; i < n; i++) {
      out.add(randomRecord(r));
    }
    return out;
  }

  static MetadataRecord randomRecord(Random r) {
    switch (r.nextInt(7)) {
      case 0:
        return new ClusterIdRecord(randomString(r, false) + "c");
      case 1:
        return new TopicRecord(randomString(r, false), new Uuid(r.nextLong(), r.nextLong()));
      case 2: {
        int[] replicas = r.ints(1 + r.nextInt(5), -1, Integer.MAX_VALUE).toArray();
        int[] isr = Arrays.copyOf(replicas, r.nextInt(replicas.length + 1));
        return new PartitionRecord(new Uuid(r.nextLong(), r.nextLong()), r.nextInt(Integer.MAX_VALUE), replicas, isr,
            r.nextBoolean() ? -1 : replicas[0], r.nextInt(Integer.MAX_VALUE), r.nextInt(Integer.MAX_VALUE));
      }
      case 3:
        return new RemoveTopicRecord(new Uuid(r.nextLong(), r.nextLong()));
      case 4:
        return new ConfigRecord(r.nextBoolean() ? ConfigRecord.ResourceType.TOPIC : ConfigRecord.ResourceType.BROKER,
            randomString(r, false), randomString(r, false), randomString(r, true));
      case 5: {
        List<Endpoint> endpoints = new ArrayList<>();
        int n = r.nextInt(4);
        SecurityProtocol[] protocols = SecurityProtocol.values();
        for (int i = 0; i < n; i++) {
          endpoints.add(new Endpoint(randomString(r, false), randomString(r, false), r.nextInt(65536),
              protocols[r.nextInt(protocols.length)]));
        }
        return new RegisterBrokerRecord(r.nextInt(Integer.MAX_VALUE), new Uuid(r.nextLong(), r.nextLong()), endpoints,
            randomString(r, true));
      }
      default:
        return new ProducerIdsRecord(r.nextInt() , r.nextLong() & Long.MAX_VALUE);
    }
  }

  static String randomString(Random r, boolean nullable) {
    if (nullable && r.nextInt(4) == 0) {
      return null;
    }
    int len = r.nextInt(10) == 0 ? 300 + r.nextInt(300) : r.nextInt(12);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      sb.append(r.nextInt(8) == 0 ? (char) (0x400 + r.nextInt(200)) : (char) ('a' + r.nextInt(26)));
    }
    return sb.toString();
  }

  @Test
  void randomBatchesRoundTrip() {
    Random r = new Random(20240601);
    for (int i = 0; i < 2_000; i++) {
      List<MetadataRecord> batch = randomBatch(r);
      byte[] encoded = MetadataRecordSerde.encode(batch);
      assertThat(MetadataRecordSerde.decode(encoded)).as("seed iteration %d", i).isEqualTo(batch);
    }
  }

  @Test
  void everyCorruptedByteIsDetected() {
    Random r = new Random(7);
    for (int i = 0; i < 200; i++) {
      List<MetadataRecord> batch = randomBatch(r);
      byte[] encoded = MetadataRecordSerde.encode(batch);
      byte[] corrupt = encoded.clone();
      int pos = r.nextInt(corrupt.length);
      corrupt[pos] ^= (byte) (1 + r.nextInt(255));
      assertThatThrownBy(() -> MetadataRecordSerde.decode(corrupt)).as("flip at %d of %d", pos, corrupt.length)
          .isInstanceOf(CorruptMetadataException.class);
    }
  }

  @Test
  void truncatedAndExtendedBatchesAreRejected() {
    byte[] encoded = MetadataRecordSerde.encode(List.of(new TopicRecord("t", Uuid.randomUuid()),
        new ProducerIdsRecord(1, 1000)));
    for (int len = 0; len < encoded.length; len++) {
      byte[] truncated = Arrays.copyOf(encoded, len);
      assertThatThrownBy(() -> MetadataRecordSerde.decode(truncated)).isInstanceOf(CorruptMetadataException.class);
    }
    byte[] extended = Arrays.copyOf(encoded, encoded.length + 1);
    assertThatThrownBy(() -> MetadataRecordSerde.decode(extended)).isInstanceOf(CorruptMetadataException.class);
  }

  @Test
  void crcMismatchIsReportedAsSuch() {
    byte[] encoded = MetadataRecordSerde.encode(List.of(new ClusterIdRecord("abc")));
    encoded[encoded.length - 1] ^= 1;
    assertThatThrownBy(() -> MetadataRecordSerde.decode(encoded)).isInstanceOf(CorruptMetadataException.class)
        .hasMessageContaining("CRC mismatch");
  }

  @Test
  void unknownVersionsAndTypesAreRefusedEvenWithAValidCrc() {
    byte[] encoded = MetadataRecordSerde.encode(List.of(new RemoveTopicRecord(Uuid.randomUuid())));
    byte[] badRecordVersion = encoded.clone();
    badRecordVersion[7] = 9; // header(5) + count(1) + type(1) -> version byte
    fixCrc(badRecordVersion);
    assertThatThrownBy(() -> MetadataRecordSerde.decode(badRecordVersion))
        .isInstanceOf(CorruptMetadataException.class).hasMessageContaining("Unknown version 9");
    byte[] badType = encoded.clone();
    badType[6] = 99;
    fixCrc(badType);
    assertThatThrownBy(() -> MetadataRecordSerde.decode(badType))
        .isInstanceOf(CorruptMetadataException.class).hasMessageContaining("Unknown metadata record type 99");
    byte[] badFormat = encoded.clone();
    badFormat[0] = 1;
    assertThatThrownBy(() -> MetadataRecordSerde.decode(badFormat))
        .isInstanceOf(CorruptMetadataException.class).hasMessageContaining("format version 1");
  }

  @Test
  void hugeLengthPrefixesDoNotAllocate() {
    // count = 2^31 with nothing behind it must fail fast, not try to allocate a list of that size.
    byte[] batch = {0, 0, 0, 0, 0, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
    fixCrc(batch);
    assertThatThrownBy(() -> MetadataRecordSerde.decode(batch)).isInstanceOf(CorruptMetadataException.class);
  }

  @Test
  void encodingIsCompact() {
    Uuid id = Uuid.randomUuid();
    byte[] encoded = MetadataRecordSerde.encode(List.of(new PartitionRecord(id, 3, new int[] {1, 2, 3},
        new int[] {1, 2, 3}, 1, 0, 0)));
    // 6 header/count + 2 type/version + 16 uuid + 1 partition + 4 + 4 arrays + 3 ints
    assertThat(encoded).hasSize(36);
  }

  private static void fixCrc(byte[] batch) {
    int crc = MetadataRecordSerde.crc(batch, 5, batch.length - 5);
    java.nio.ByteBuffer.wrap(batch).putInt(1, crc);
  }
}
