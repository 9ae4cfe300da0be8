"""The Kantara Initiative Consent Receipt Specification v1.1 field set, as a JSON Schema."""

KANTARA_V1_1_SCHEMA = {
    "type": "object",
    "required": [
        "version",
        "jurisdiction",
        "consentTimestamp",
        "collectionMethod",
        "consentReceiptID",
        "piiPrincipalId",
        "piiControllers",
        "policyUrl",
        "services",
        "sensitive",
        "spiCat",
    ],
    "properties": {
        "version": {"const": "KI-CR-v1.1.0"},
        "jurisdiction": {"type": "string", "minLength": 1},
        "consentTimestamp": {"type": "integer"},
        "collectionMethod": {"type": "string", "minLength": 1},
        "consentReceiptID": {"type": "string", "minLength": 1},
        "publicKey": {"type": "string"},
        "language": {"type": "string"},
        "piiPrincipalId": {"type": "string", "minLength": 1},
        "piiControllers": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["piiController", "contact", "address", "email", "phone"],
                "properties": {
                    "piiController": {"type": "string"},
                    "onBehalf": {"type": "boolean"},
                    "contact": {"type": "string"},
                    "address": {"type": "object"},
                    "email": {"type": "string"},
                    "phone": {"type": "string"},
                    "piiControllerUrl": {"type": "string"},
                },
            },
        },
        "policyUrl": {"type": "string", "minLength": 1},
        "services": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["service", "purposes"],
                "properties": {
                    "service": {"type": "string"},
                    "purposes": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": [
                                "purpose",
                                "purposeCategory",
                                "consentType",
                                "piiCategory",
                                "termination",
                                "thirdPartyDisclosure",
                            ],
                            "properties": {
                                "purpose": {"type": "string"},
                                "purposeCategory": {"type": "array", "items": {"type": "string"}},
                                "consentType": {"type": "string"},
                                "piiCategory": {"type": "array", "items": {"type": "string"}},
                                "primaryPurpose": {"type": "boolean"},
                                "termination": {"type": "string"},
                                "thirdPartyDisclosure": {"type": "boolean"},
                                "thirdPartyName": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
        "sensitive": {"type": "boolean"},
        "spiCat": {"type": "array", "items": {"type": "string"}},
    },
}
