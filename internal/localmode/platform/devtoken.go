package platform

import (
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/app/auth"
	"github.com/hotline12345/hotline/internal/domain/catalog"
)

// TokenPath is the development sign-in of the staff console in local mode.
// It is the platform's, beside the pages, not an API route: a deployed
// platform has no such endpoint, its staff sign in with OIDC.
const TokenPath = "/_local/token"

// DevTokenTTL is how long a development token lasts: a working day.
const DevTokenTTL = 8 * time.Hour

// DevTokenRequest is what the console posts to TokenPath.
type DevTokenRequest struct {
	Role string `json:"role"`
	Dept string `json:"dept"`
}

// DevToken is TokenPath's answer.
type DevToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// DevTokenHandler signs staff tokens for the console's development sign-in.
// It answers only when localMode is set (otherwise 404, as if it were not
// there), and refuses roles that are not staff roles and departments the
// catalog does not have, with a problem naming the field.
func DevTokenHandler(iss *auth.Issuer, cat *catalog.Catalog, localMode bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !localMode {
			problem(w, http.StatusNotFound, "the development sign-in exists only in local mode", nil)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			problem(w, http.StatusMethodNotAllowed, "use POST", nil)
			return
		}
		// JSON only: a cross-site form cannot send it without a CORS
		// preflight, which only the origins local mode was told to trust pass.
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			problem(w, http.StatusUnsupportedMediaType, "send application/json", nil)
			return
		}
		var req DevTokenRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			problem(w, http.StatusBadRequest, "the body is not a JSON object with role and dept", nil)
			return
		}
		// The console shows these messages next to its fields: in Chinese
		// unless it asks for English, as the API answers.
		zh := !strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "en")
		msg := func(zhText, enText string) string {
			if zh {
				return zhText
			}
			return enText
		}
		role := auth.Role(req.Role)
		if !slices.Contains(auth.Roles, role) {
			problem(w, http.StatusBadRequest, msg("身份无效", "unknown role"),
				map[string]string{"role": msg("身份须为 operator、department、supervisor 或 admin", "role must be one of operator, department, supervisor, admin")})
			return
		}
		c := auth.Claims{Subject: "local-" + req.Role, Role: role}
		if role == auth.RoleDepartment {
			if _, ok := cat.Department(req.Dept); !ok {
				var ids []string
				for _, d := range cat.Departments() {
					ids = append(ids, d.ID)
				}
				problem(w, http.StatusBadRequest, msg("承办单位不存在", "unknown department"),
					map[string]string{"dept": msg("没有承办单位 "+req.Dept+"；现有："+strings.Join(ids, "、"), "no department "+req.Dept+"; known: "+strings.Join(ids, ", "))})
				return
			}
			c.Dept = req.Dept
			c.Subject = "local-" + req.Dept
		} else if req.Dept != "" {
			problem(w, http.StatusBadRequest, msg("只有承办单位身份需要填写单位", "only a department token names a department"),
				map[string]string{"dept": msg("该身份不填写承办单位", "leave dept empty for role "+req.Role)})
			return
		}
		tok, err := iss.Sign(c, DevTokenTTL)
		if err != nil {
			problem(w, http.StatusInternalServerError, err.Error(), nil)
			return
		}
		writeJSON(w, http.StatusOK, "application/json", DevToken{Token: tok, ExpiresAt: iss.Now().Add(DevTokenTTL).UTC().Truncate(time.Second)})
	})
}

// problem answers an RFC 9457 problem, in the API's shape, so the console
// shows it as it shows the API's.
func problem(w http.ResponseWriter, status int, detail string, fields map[string]string) {
	p := map[string]any{"title": http.StatusText(status), "status": status, "detail": detail}
	if len(fields) > 0 {
		p["fields"] = fields
	}
	writeJSON(w, status, "application/problem+json", p)
}

func writeJSON(w http.ResponseWriter, status int, ctype string, v any) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
