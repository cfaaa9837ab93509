//! vpcd virtual ICC and PC/SC client for vusim (built out by the PC/SC issue).
