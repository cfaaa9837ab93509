//! Cross-crate integration tests for vusim; helpers shared by the test files live here.
