package dev.slipway.provisioner.inventory;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a host does in the cluster. A master always carries etcd too. */
public enum Role {
  MASTER, ETCD, WORKER;

  /** The spelling used in inventory files. */
  public String word() {
    return name().toLowerCase();
  }

  static Optional<Role> fromWord(String word) {
    return Arrays.stream(values()).filter(r -> r.word().equals(word)).findFirst();
  }

  static List<String> words() {
    return Arrays.stream(values()).map(Role::word).toList();
  }
}
