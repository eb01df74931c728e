package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// h1Body reads an HTTP/1 message body off a connection: Content-Length
// delimited, chunked (strictly: CRLF line endings, at most 16 hex digits,
// extensions ignored, trailers read and dropped), or, for a response,
// delimited by the end of the connection.
type h1Body struct {
	br      *bufio.Reader
	c       *h1Conn // the client connection of a request body, else nil
	chunked bool
	toEOF   bool  // the body ends with the connection
	n       int64 // bytes left: in the body, or in the current chunk
	inChunk bool  // chunk data was being read: CRLF follows it
	eof     bool
	err     error
}

// Errors in a chunked body. Like any body error they make the connection
// unusable.
var (
	errChunkLine     = errors.New("malformed chunked encoding")
	errChunkTooLarge = errors.New("chunk length too large")
)

const maxChunkLine = 4096 // net/http's limit on a chunk-size line

// reset prepares b for a request body on c: chunked, or of n bytes.
func (b *h1Body) reset(c *h1Conn, chunked bool, n int64) {
	*b = h1Body{br: c.br, c: c, chunked: chunked, n: n, eof: !chunked && n == 0}
}

// Close does nothing: whoever owns the connection decides what becomes
// of a body left unread.
func (b *h1Body) Close() error { return nil }

// done reports whether the body was read to its end.
func (b *h1Body) done() bool { return b.eof }

func (b *h1Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.eof {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c := b.c; c != nil && c.expect100 && !c.wroteContinue {
		if err := c.writeContinue(); err != nil {
			b.err = err
			return 0, err
		}
	}
	if b.toEOF {
		n, err := b.br.Read(p)
		if err == io.EOF {
			b.eof = true
		} else if err != nil {
			b.err = err
		}
		return n, err
	}
	if !b.chunked {
		if int64(len(p)) > b.n {
			p = p[:b.n]
		}
		n, err := b.br.Read(p)
		b.n -= int64(n)
		if b.n == 0 {
			b.eof = true
			return n, nil
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		b.err = err
		return n, err
	}
	if b.n == 0 {
		if err := b.nextChunk(); err != nil {
			b.err = err
			return 0, err
		}
		if b.eof {
			return 0, io.EOF
		}
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.br.Read(p)
	b.n -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err == nil && b.n == 0 {
		// Read on as far as is at hand, so that what stays buffered is
		// more of the body (an upstream body with nothing buffered is
		// flushed to the client), as net/http's chunked reader does.
		if err = b.readAhead(); err == nil && b.eof {
			err = io.EOF
		}
	}
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// readAhead, at the end of a chunk's data, reads its CRLF and the next
// chunk-size line when they are buffered already, never waiting for more.
func (b *h1Body) readAhead() error {
	if b.br.Buffered() < 2 {
		return nil
	}
	if err := b.endChunk(); err != nil {
		return err
	}
	b.inChunk = false
	buf, _ := b.br.Peek(b.br.Buffered())
	if bytes.IndexByte(buf, '\n') < 0 {
		return nil
	}
	return b.nextChunk()
}

// endChunk reads the CRLF that ends a chunk's data.
func (b *h1Body) endChunk() error {
	crlf, err := b.br.Peek(2)
	if err != nil {
		return unexpected(err)
	}
	if crlf[0] != '\r' || crlf[1] != '\n' {
		return errChunkLine
	}
	_, _ = b.br.Discard(2)
	return nil
}

// nextChunk ends the current chunk (its CRLF) and reads the next chunk's
// size line; at the last chunk it reads the trailer section.
func (b *h1Body) nextChunk() error {
	br := b.br
	if b.inChunk {
		if err := b.endChunk(); err != nil {
			return err
		}
	}
	line, err := chunkLine(br)
	if err != nil {
		return err
	}
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
		line = line[:len(line)-1]
	}
	n, err := parseChunkSize(line)
	if err != nil {
		return err
	}
	b.n, b.inChunk = n, true
	if n > 0 {
		return nil
	}
	// The last chunk: trailer fields until an empty line, dropped.
	for range 64 {
		line, err := chunkLine(br)
		if err != nil {
			return err
		}
		if len(line) == 0 {
			b.eof = true
			return nil
		}
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok || !validFieldName(string(name)) {
			return errChunkLine
		}
	}
	return errChunkLine
}

// chunkLine reads a line of chunked framing without its CRLF; a bare LF
// or a CR elsewhere is an error, as in net/http.
func chunkLine(br *bufio.Reader) ([]byte, error) {
	p, err := br.ReadSlice('\n')
	if err != nil {
		if err == bufio.ErrBufferFull {
			return nil, errChunkLine
		}
		return nil, unexpected(err)
	}
	if len(p) < 2 || p[len(p)-2] != '\r' || bytes.IndexByte(p[:len(p)-2], '\r') >= 0 {
		return nil, errChunkLine
	}
	if len(p) >= maxChunkLine {
		return nil, errChunkLine
	}
	return p[:len(p)-2], nil
}

// parseChunkSize parses a chunk size: 1 to 16 hex digits.
func parseChunkSize(v []byte) (int64, error) {
	if len(v) == 0 {
		return 0, errChunkLine
	}
	var n uint64
	for i, c := range v {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, errChunkLine
		}
		if i == 16 {
			return 0, errChunkTooLarge
		}
		n = n<<4 | uint64(c)
	}
	if n > 1<<63-1 {
		return 0, errChunkTooLarge
	}
	return int64(n), nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
