// The oidc tests' JWT signer (tests/unit/oidc/test_signer.hpp), compiled into unit_aws as well so
// the STS tests mint tokens exactly as the JWT tests do.
#include "oidc/test_signer.cpp"  // NOLINT(bugprone-suspicious-include)
