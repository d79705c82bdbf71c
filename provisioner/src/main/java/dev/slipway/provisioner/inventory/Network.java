package dev.slipway.provisioner.inventory;

/** The cluster's address ranges and DNS domain. */
public record Network(Cidr podCidr, Cidr serviceCidr, String clusterDomain) {}
