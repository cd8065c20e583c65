package io.tributary.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuorumVotersTest {
  @Test
  void parsesVoters() {
    QuorumVoters v = QuorumVoters.parse("1@localhost:9093, 2@[::1]:9094,3@10.0.0.3:9095");
    assertThat(v.voters()).hasSize(3);
    assertThat(v.voter(2).host()).isEqualTo("::1");
    assertThat(v.voter(2).address()).isEqualTo("[::1]:9094");
    assertThat(v.voter(3).port()).isEqualTo(9095);
    assertThatThrownBy(() -> v.voter(4)).hasMessageContaining("not in the voter list");
  }

  @Test
  void rejectsMalformedVoters() {
    for (String bad : new String[] {"", "1@host", "x@host:1", "1@:1", "1@host:99999", "1@h:1,1@h:2", "host:1",
        "-1@h:1"}) {
      assertThatThrownBy(() -> QuorumVoters.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
