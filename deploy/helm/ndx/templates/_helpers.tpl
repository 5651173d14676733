{{/* The parts this release runs: every part, less the development-only ones unless development is set. */}}
{{- define "ndx.enabledParts" -}}
{{- $out := list -}}
{{- range $name, $part := .Values.parts -}}
{{- if or (not $part.developmentOnly) $.Values.development -}}
{{- $out = append $out $name -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{- define "ndx.labels" -}}
app.kubernetes.io/name: ndx
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "ndx.selector" -}}
app.kubernetes.io/name: ndx
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* A network peer: the pods of one part of this release. */}}
{{- define "ndx.peer" -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/name: ndx
      app.kubernetes.io/instance: {{ .root.Release.Name }}
      app.kubernetes.io/component: {{ .name }}
{{- end -}}
