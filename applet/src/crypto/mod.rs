//! Authentication and key-derivation primitives shared by the card and the network side.
