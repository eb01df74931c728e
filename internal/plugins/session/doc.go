// Package session implements Kong's session plugin: once another
// authentication plugin authenticated a request, a session cookie is set,
// and later requests presenting it are authenticated as the same consumer
// and credential without the other plugin's credentials.
//
// Cookies are lua-resty-session 4's (the library Kong 3.9 uses), byte for
// byte: Silverback and Kong sharing a secret read each other's cookies.
// With storage "kong" the cookie holds only the header and the encrypted
// data is a row of the sessions entity.
package session
