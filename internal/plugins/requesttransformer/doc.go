// Package requesttransformer implements Kong's request-transformer plugin.
package requesttransformer
