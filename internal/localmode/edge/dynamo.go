package edge

import (
	"net/http"

	"github.com/hotline12345/hotline/internal/localmode/ddb"
)

// dynamoService is the edge's DynamoDB: local mode's own engine (package
// ddb), in memory unless the platform gives it a store on disk.
type dynamoService struct {
	engine *ddb.Engine
	err    error // the engine could not open: every call says so
	owned  bool  // opened by the edge, so closed with it
}

func (e *Edge) serveDynamo(w http.ResponseWriter, r *http.Request, op string, body []byte) {
	if e.dynamo.err != nil {
		writeJSONError(w, http.StatusInternalServerError, "InternalServerError", "the local DynamoDB engine is not open: "+e.dynamo.err.Error())
		return
	}
	e.dynamo.engine.ServeOperation(w, r, op, body, e.log)
}

// amzJSON10 is the media type of the AWS JSON 1.0 protocol's answers.
const amzJSON10 = "application/x-amz-json-1.0"
