{{/* The chart's name, at most 63 characters (a DNS label). */}}
{{- define "tensorwire.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's resource name: the release name, with the chart name unless it already holds it. */}}
{{- define "tensorwire.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tensorwire.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tensorwire.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tensorwire.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tensorwire.labels" -}}
helm.sh/chart: {{ include "tensorwire.chart" . }}
{{ include "tensorwire.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "tensorwire.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tensorwire.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the auth token. */}}
{{- define "tensorwire.authSecretName" -}}
{{- default (printf "%s-auth" (include "tensorwire.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{/* One probe's handler: HTTP GET on a health path, or the gRPC health service. */}}
{{- define "tensorwire.probeHandler" -}}
{{- if eq .root.Values.probes.type "grpc" }}
grpc:
  port: {{ .root.Values.port }}
{{- else if eq .root.Values.probes.type "http" }}
httpGet:
  path: {{ .path }}
  port: http
{{- else }}
{{- fail (printf "probes.type: expected http or grpc, got %q" .root.Values.probes.type) }}
{{- end }}
{{- end }}
