package proposals

// GuestLaunchMeasurements is the `guest_launch_measurements` record of a
// ReviseElectedGuestosVersions payload: the AMD SEV-SNP launch measurements a
// GuestOS release is expected to produce (registry.did, domain.md §1.4).
type GuestLaunchMeasurements struct {
	GuestLaunchMeasurements []GuestLaunchMeasurement `ic:"guest_launch_measurements" json:"guest_launch_measurements" yaml:"guest_launch_measurements"`
}

// GuestLaunchMeasurement is one expected measurement (48 bytes for SEV-SNP)
// with the kernel command line it was taken with.
type GuestLaunchMeasurement struct {
	Metadata    *GuestLaunchMeasurementMetadata `ic:"metadata,omitempty" json:"metadata,omitempty" yaml:"metadata,omitempty"`
	Measurement []byte                          `ic:"measurement" json:"measurement" yaml:"measurement"`
}

// GuestLaunchMeasurementMetadata describes how a measurement was taken.
type GuestLaunchMeasurementMetadata struct {
	KernelCmdline string `ic:"kernel_cmdline" json:"kernel_cmdline" yaml:"kernel_cmdline"`
}
