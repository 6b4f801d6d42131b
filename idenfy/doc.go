// Package idenfy is iDenfy's wire format: webhook payload types, the
// Idenfy-Signature scheme and event classification.
//
// Every enumeration is open: values are plain strings, the constants name the
// values known today, and unknown values are kept and passed on, never
// rejected. Nullable fields are pointers so that "absent", "null" and the zero
// value stay distinguishable.
//
// The package uses the standard library only and imports nothing of kycflow's.
package idenfy
