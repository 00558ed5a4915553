package tracing

import (
	"context"
	"errors"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// APIOptions are the AWS SDK middleware (aws.Config.APIOptions) that give
// each AWS operation a client span ("DynamoDB.TransactWriteItems"), child of
// the span on the context: the invocation's. Written here rather than taken
// from otelaws, which is deprecated and links the S3, SNS, SQS and DynamoDB
// clients into every function that uses it; and it records no AWS error
// message, which can quote the request (SNS: "Invalid parameter:
// PhoneNumber … +86…"), only the error code.
func (t *Tracing) APIOptions() []func(*middleware.Stack) error {
	if t.off {
		return nil // no middleware at all when nothing is recorded
	}
	tracer := t.Provider.Tracer(Scope)
	return []func(*middleware.Stack) error{func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("HotlineTraceSpan", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return operationSpan(ctx, tracer, in, next)
		}), middleware.After)
	}}
}

func operationSpan(ctx context.Context, tracer trace.Tracer, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	service, op := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
	ctx, span := tracer.Start(ctx, service+"."+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("rpc.system", "aws-api"),
		attribute.String("rpc.service", service),
		attribute.String("rpc.method", op),
		attribute.String("cloud.region", awsmiddleware.GetRegion(ctx)),
	))
	defer span.End()
	out, md, err := next.HandleInitialize(ctx, in)
	if id, ok := awsmiddleware.GetRequestIDMetadata(md); ok {
		span.SetAttributes(attribute.String("aws.request_id", id))
	}
	if resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	}
	if err != nil {
		code := "failed"
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			code = apiErr.ErrorCode()
		}
		span.SetAttributes(attribute.String("aws.error_code", code))
		span.SetStatus(codes.Error, code)
	}
	return out, md, err
}
