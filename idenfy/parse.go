package idenfy

import (
	"encoding/json"
	"fmt"
)

// ParseIdentification decodes a KYC identification webhook body.
func ParseIdentification(body []byte) (*Identification, error) {
	return parse[Identification](body)
}

// ParseCompanyEvent decodes a KYB company webhook body.
func ParseCompanyEvent(body []byte) (*CompanyEvent, error) {
	return parse[CompanyEvent](body)
}

// ParseMonitoring decodes an AML monitoring webhook body.
func ParseMonitoring(body []byte) (*Monitoring, error) {
	return parse[Monitoring](body)
}

func parse[T any](body []byte) (*T, error) {
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidJSON, jsonErrorKind(err))
	}
	return &v, nil
}
