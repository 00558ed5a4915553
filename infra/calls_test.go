package infra

import (
	"fmt"
	"go/types"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/callgraph/vta"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

const (
	modulePath = "github.com/hotline12345/hotline"
	sdkService = "github.com/aws/aws-sdk-go-v2/service/"
)

// iamPrefix maps an aws-sdk-go-v2 service package to its IAM action prefix.
var iamPrefix = map[string]string{
	"dynamodb":       "dynamodb",
	"sqs":            "sqs",
	"sesv2":          "ses",
	"sns":            "sns",
	"sfn":            "states",
	"kms":            "kms",
	"secretsmanager": "secretsmanager",
	"ssm":            "ssm",
	"s3":             "s3",
}

// actionAliases are API calls IAM authorizes under another action's name:
// HeadObject needs s3:GetObject, listing a bucket s3:ListBucket, a batch
// delete s3:DeleteObject per key.
var actionAliases = map[string]string{
	"s3:HeadObject":    "s3:GetObject",
	"s3:ListObjectsV2": "s3:ListBucket",
	"s3:ListObjects":   "s3:ListBucket",
	"s3:HeadBucket":    "s3:ListBucket",
	"s3:DeleteObjects": "s3:DeleteObject",
}

// sdkCalls returns, per function, the IAM actions of every AWS API call the
// function's code can reach: a call graph rooted at the function's builder
// (internal/wiring/<function>.Build, which its main wires) and the Handle
// method of the handler it returns, restricted to call sites inside this
// module, where the callee (a concrete SDK client method or a method of one of
// our narrow client interfaces) takes *<service>.<Operation>Input. The main
// hands Handle to the Lambda runtime, which calls it by reflection, hence the
// second root. Deriving the list from the program, not from a copy kept beside
// the template, is what lets the test catch a new SDK call the role lacks.
func sdkCalls(t *testing.T, functions []string) map[string][]string {
	t.Helper()
	var paths []string
	for _, fn := range functions {
		paths = append(paths, modulePath+"/internal/wiring/"+fn)
	}
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Dir: ".."}
	pkgs, err := packages.Load(cfg, paths...)
	if err != nil {
		t.Fatalf("load internal/wiring: %v", err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		t.Fatalf("load internal/wiring: %d package errors", n)
	}
	prog, ssaPkgs := ssautil.AllPackages(pkgs, ssa.InstantiateGenerics)
	prog.Build()
	// Variable type analysis over the whole program: unlike RTA it does not treat
	// every exported method of a type that reaches an interface as callable, so a
	// store method only local mode uses (CreateTable) stays out of a role.
	cg := vta.CallGraph(ssautil.AllFunctions(prog), nil)
	out := map[string][]string{}
	byPath := map[string]*ssa.Package{}
	for _, p := range ssaPkgs {
		if p != nil {
			byPath[p.Pkg.Path()] = p
		}
	}
	for _, fn := range functions {
		var builder *ssa.Function
		if p := byPath[modulePath+"/internal/wiring/"+fn]; p != nil {
			builder = p.Func("Build")
		}
		if builder == nil {
			t.Errorf("internal/wiring/%s has no func Build(...) (*Handler, error)", fn)
			continue
		}
		roots := []*ssa.Function{builder}
		if res := builder.Signature.Results(); res.Len() > 0 {
			if h := prog.LookupMethod(res.At(0).Type(), nil, "Handle"); h != nil {
				roots = append(roots, h)
			}
		}
		if len(roots) < 2 {
			t.Errorf("%s.Build returns no type with a Handle method", fn)
			continue
		}
		seen := map[string]bool{}
		for f := range reachable(cg, roots) {
			if f.Pkg == nil || !strings.HasPrefix(f.Pkg.Pkg.Path(), modulePath) {
				continue
			}
			for _, b := range f.Blocks {
				for _, ins := range b.Instrs {
					if a := transactItemAction(ins); a != "" {
						seen[a] = true
					}
					call, ok := ins.(ssa.CallInstruction)
					if !ok {
						continue
					}
					if a := sdkAction(call.Common()); a != "" && !notAuthorized[a] {
						seen[a] = true
					}
				}
			}
		}
		for a := range seen {
			out[fn] = append(out[fn], a)
		}
		sort.Strings(out[fn])
	}
	return out
}

// reachable is every function a path of call edges leads to from roots.
func reachable(cg *callgraph.Graph, roots []*ssa.Function) map[*ssa.Function]bool {
	seen := map[*ssa.Function]bool{}
	var stack []*callgraph.Node
	for _, r := range roots {
		if n := cg.Nodes[r]; n != nil && !seen[r] {
			seen[r] = true
			stack = append(stack, n)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range n.Out {
			if f := e.Callee.Func; !seen[f] {
				seen[f] = true
				stack = append(stack, e.Callee)
			}
		}
	}
	return seen
}

// sdkAction names the IAM action of a call whose callee takes *<svc>.<Op>Input, or "".
// A presigning method (s3.PresignClient's PresignGetObject, PresignPostObject,
// …) makes no call itself but signs a request someone else sends, which AWS
// then authorizes as the signer: it stands for the operation of the input it
// takes (PresignPostObject takes *PutObjectInput: s3:PutObject).
func sdkAction(c *ssa.CallCommon) string {
	var sig *types.Signature
	var name string
	switch {
	case c.IsInvoke():
		sig, name = c.Method.Type().(*types.Signature), c.Method.Name()
	case c.StaticCallee() != nil && c.StaticCallee().Signature.Recv() != nil:
		sig, name = c.StaticCallee().Signature, c.StaticCallee().Name()
	default:
		return ""
	}
	for i := 0; i < sig.Params().Len(); i++ {
		ptr, ok := sig.Params().At(i).Type().(*types.Pointer)
		if !ok {
			continue
		}
		named, ok := ptr.Elem().(*types.Named)
		if !ok || named.Obj().Pkg() == nil {
			continue
		}
		op, isInput := strings.CutSuffix(named.Obj().Name(), "Input")
		if !isInput || (op != name && !strings.HasPrefix(name, "Presign")) {
			continue
		}
		svc, ok := strings.CutPrefix(named.Obj().Pkg().Path(), sdkService)
		if !ok {
			continue
		}
		prefix, ok := iamPrefix[svc]
		if !ok {
			prefix = "unknown-service-" + svc
		}
		action := fmt.Sprintf("%s:%s", prefix, op)
		if alias, ok := actionAliases[action]; ok {
			return alias
		}
		return action
	}
	return ""
}

// notAuthorized are API calls IAM does not authorize as such: DynamoDB checks
// each item of a transaction against the action it stands for (PutItem,
// UpdateItem, DeleteItem, ConditionCheckItem), which transactItemAction finds.
var notAuthorized = map[string]bool{"dynamodb:TransactWriteItems": true, "dynamodb:TransactGetItems": true}

// transactItemActions maps the fields of a DynamoDB TransactWriteItem to the
// IAM action IAM checks for such an item.
var transactItemActions = map[string]string{
	"Put":            "dynamodb:PutItem",
	"Update":         "dynamodb:UpdateItem",
	"Delete":         "dynamodb:DeleteItem",
	"ConditionCheck": "dynamodb:ConditionCheckItem",
}

// transactItemAction names the IAM action of a transaction item the
// instruction fills in (a TransactWriteItem{Put: ...} literal), or "".
func transactItemAction(ins ssa.Instruction) string {
	fa, ok := ins.(*ssa.FieldAddr)
	if !ok {
		return ""
	}
	ptr, ok := fa.X.Type().Underlying().(*types.Pointer)
	if !ok {
		return ""
	}
	named, ok := ptr.Elem().(*types.Named)
	if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != sdkService+"dynamodb/types" || named.Obj().Name() != "TransactWriteItem" {
		return ""
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	return transactItemActions[st.Field(fa.Field).Name()]
}

// The IAM action of a presigned request is the operation it signs, and an
// S3 call IAM knows under another name is named by that one.
func TestSdkActionNamesSignedAndAliasedCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the S3 SDK's types (about 10 s); skipped with -short")
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadSyntax}, "./testdata/presign")
	if err != nil {
		t.Fatal(err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		t.Fatalf("testdata/presign: %d package errors", n)
	}
	prog, ssaPkgs := ssautil.Packages(pkgs, 0)
	prog.Build()
	var got []string
	for _, b := range ssaPkgs[0].Func("Sample").Blocks {
		for _, ins := range b.Instrs {
			if call, ok := ins.(ssa.CallInstruction); ok {
				if a := sdkAction(call.Common()); a != "" {
					got = append(got, a)
				}
			}
		}
	}
	want := []string{"s3:PutObject", "s3:GetObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObject"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sdkAction over testdata/presign: %v, want %v", got, want)
	}
}
