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
// Both fields are optional on the wire: kernel_cmdline since dfinity/ic
// #8078, vcpu_type (the AMD CPU generation the measurement is for) since
// #10245 (domain.md Addendum). Older payloads, whose kernel_cmdline is a
// plain text, still decode: Candid reads a text where an opt text is
// expected.
type GuestLaunchMeasurementMetadata struct {
	KernelCmdline *string `ic:"kernel_cmdline,omitempty" json:"kernel_cmdline,omitempty" yaml:"kernel_cmdline,omitempty"`
	VcpuType      *string `ic:"vcpu_type,omitempty" json:"vcpu_type,omitempty" yaml:"vcpu_type,omitempty"`
}

// Cmdline returns the kernel command line, "" when none is recorded.
func (m *GuestLaunchMeasurementMetadata) Cmdline() string {
	if m == nil || m.KernelCmdline == nil {
		return ""
	}
	return *m.KernelCmdline
}

// Vcpu returns the vCPU type, "" when none is recorded.
func (m *GuestLaunchMeasurementMetadata) Vcpu() string {
	if m == nil || m.VcpuType == nil {
		return ""
	}
	return *m.VcpuType
}
