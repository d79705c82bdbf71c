/**
 * Kubernetes objects in etcd (DESIGN.md decision 2).
 *
 * <p>Doors: {@link dev.slipway.controlplane.storage.ObjectStore} (implemented by
 * {@link dev.slipway.controlplane.storage.EtcdObjectStore}), its values ({@code ObjectKey},
 * {@code StoredObject}, {@code ListRequest}, {@code ListPage}, {@code WatchEvent}), its errors
 * ({@code StorageException}), {@code EtcdConnection}, and {@code ValueTransformer} with
 * {@code SecretEncryption} for encryption at rest. Everything else (the watch cache, the etcd
 * feeds, the per-watcher queues, continue tokens) is inside.
 */
package dev.slipway.controlplane.storage;
