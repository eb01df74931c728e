// Package basicauth implements Kong's basic-auth plugin: the client sends
// a username and password in an Authorization (or Proxy-Authorization)
// header with the Basic scheme, checked against the basicauth_credentials,
// whose passwords are stored salted and hashed as Kong stores them.
package basicauth
