package io.tributary.metadata;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Parses the voter list "id@host:port,id@host:port,..." (IPv6 hosts in brackets: 1@[::1]:9093). */
record QuorumVoters(List<Voter> voters) {
  record Voter(int id, String host, int port) {
    String address() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  QuorumVoters {
    voters = List.copyOf(voters);
  }

  static QuorumVoters parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("The voter list is empty");
    }
    List<Voter> voters = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (String part : spec.split(",")) {
      String s = part.trim();
      int at = s.indexOf('@');
      int colon = s.lastIndexOf(':');
      if (at <= 0 || colon < at + 2 || colon == s.length() - 1) {
        throw new IllegalArgumentException("Invalid voter '" + s + "', expected id@host:port");
      }
      int id;
      int port;
      try {
        id = Integer.parseInt(s.substring(0, at));
        port = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Invalid voter '" + s + "', expected id@host:port", e);
      }
      String host = s.substring(at + 1, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (id < 0 || port < 0 || port > 65535 || host.isEmpty()) {
        throw new IllegalArgumentException("Invalid voter '" + s + "'");
      }
      if (!ids.add(id)) {
        throw new IllegalArgumentException("Voter id " + id + " appears twice in '" + spec + "'");
      }
      voters.add(new Voter(id, host, port));
    }
    return new QuorumVoters(voters);
  }

  Voter voter(int id) {
    return voters.stream().filter(v -> v.id() == id).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Node " + id + " is not in the voter list " + voters));
  }
}
