package candidguard

// Limits bounds what Check accepts. A zero field takes its value from
// DefaultLimits (Acyclic is false unless set).
type Limits struct {
	// MaxBytes is the largest message accepted.
	MaxBytes int
	// MaxDepth bounds how deeply values nest; every opt, vec, record and
	// variant value is one level. It also bounds agent-go's recursion.
	MaxDepth int
	// StepsPerByte and BaseSteps bound the number of values in a message
	// to StepsPerByte×len(message)+BaseSteps. Every value (every vector
	// element included) is one step, so this bounds what agent-go
	// allocates relative to the input: values such as null or empty
	// records take no bytes on the wire but a map entry or slot in memory.
	StepsPerByte, BaseSteps int
	// MaxFields bounds the fields of one record or variant type.
	MaxFields int
	// MaxPrincipalBytes bounds the length of a principal (the IC's
	// principals are at most 29 bytes).
	MaxPrincipalBytes int
	// MaxNatBytes bounds the LEB128 length of a nat or int value; agent-go
	// turns them into math/big numbers.
	MaxNatBytes int
	// Acyclic refuses recursive type tables.
	Acyclic bool
	// MaxTypeNodes, with Acyclic, bounds the size of every table type
	// written out as a tree: a small table can describe a huge tree (each
	// record naming the next twice), which agent-go walks whenever it
	// prints a type.
	MaxTypeNodes int
}

// DefaultLimits suit governance canister arguments and replies: recursive
// types are accepted (governance.did has them), values nest at most 128
// deep, and a message of n bytes holds at most 4n+4096 values.
var DefaultLimits = baseLimits()

// baseLimits returns the values of DefaultLimits.
func baseLimits() Limits {
	return Limits{
		MaxBytes:          8 << 20,
		MaxDepth:          128,
		StepsPerByte:      4,
		BaseSteps:         4096,
		MaxFields:         1 << 16,
		MaxPrincipalBytes: 29,
		MaxNatBytes:       64,
		MaxTypeNodes:      4096,
	}
}

// PayloadLimits suit ExecuteNnsFunction payloads of the registry: at most
// 256 KiB, no recursive types, no type expanding to more than 4096 nodes,
// nat and int values within 64 bits and at most 2n+4096 values for n bytes.
var PayloadLimits = Limits{
	MaxBytes:     1 << 18,
	MaxDepth:     64,
	StepsPerByte: 2,
	MaxNatBytes:  10,
	Acyclic:      true,
}

// withDefaults fills zero fields with the values of DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := baseLimits()
	fill := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	fill(&l.MaxBytes, d.MaxBytes)
	fill(&l.MaxDepth, d.MaxDepth)
	fill(&l.StepsPerByte, d.StepsPerByte)
	fill(&l.BaseSteps, d.BaseSteps)
	fill(&l.MaxFields, d.MaxFields)
	fill(&l.MaxPrincipalBytes, d.MaxPrincipalBytes)
	fill(&l.MaxNatBytes, d.MaxNatBytes)
	fill(&l.MaxTypeNodes, d.MaxTypeNodes)
	return l
}
