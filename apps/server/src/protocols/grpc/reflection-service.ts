import type { DescFile, DescMessage, DescService } from "@bufbuild/protobuf";
import { toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { v1, v1alpha } from "@tensorwire/proto/reflection";

/**
 * gRPC server reflection (`grpc.reflection.v1` and `v1alpha`), so grpcurl, grpcui and Postman work
 * without the .proto files. Answers list_services, file_by_filename and file_containing_symbol
 * with the generated descriptors' FileDescriptorProto bytes, each file with its transitive
 * dependencies; extension queries find nothing, as no served file declares extensions.
 */

/** What a reflection answer holds; the v1 and v1alpha messages are the same shape. */
type Answer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

/** The request's oneof, the same shape in v1 and v1alpha. */
type Question =
  | {
      case: "fileByFilename" | "fileContainingSymbol" | "allExtensionNumbersOfType" | "listServices";
      value: string;
    }
  | { case: "fileContainingExtension"; value: { containingType: string; extensionNumber: number } }
  | { case: undefined; value?: undefined };

/** gRPC NOT_FOUND and INVALID_ARGUMENT: reflection errors travel in the message, with gRPC's numbers. */
const notFound = 5;
const invalidArgument = 3;

/** Registers both reflection services on `router`, describing `services` (and themselves). */
export function registerReflection(router: ConnectRouter, services: readonly DescService[]): void {
  const answer = createAnswerer([...services, v1.ServerReflection, v1alpha.ServerReflection]);
  router.service(v1.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        yield { validHost: req.host, originalRequest: req, messageResponse: answer(req.messageRequest) };
      }
    },
  });
  router.service(v1alpha.ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        yield { validHost: req.host, originalRequest: req, messageResponse: answer(req.messageRequest) };
      }
    },
  });
}

function createAnswerer(services: readonly DescService[]): (question: Question) => Answer {
  const files = new Map<string, DescFile>();
  const symbols = new Map<string, DescFile>();
  // DescFile.name drops the ".proto" suffix; reflection speaks in the proto's own file names.
  const visit = (file: DescFile) => {
    if (files.has(file.proto.name)) {
      return;
    }
    files.set(file.proto.name, file);
    for (const dep of file.dependencies) {
      visit(dep);
    }
    const addMessage = (m: DescMessage) => {
      symbols.set(m.typeName, file);
      m.nestedMessages.forEach(addMessage);
      for (const e of m.nestedEnums) {
        symbols.set(e.typeName, file);
      }
      for (const x of m.nestedExtensions) {
        symbols.set(x.typeName, file);
      }
    };
    file.messages.forEach(addMessage);
    for (const e of file.enums) {
      symbols.set(e.typeName, file);
    }
    for (const x of file.extensions) {
      symbols.set(x.typeName, file);
    }
    for (const s of file.services) {
      symbols.set(s.typeName, file);
      for (const m of s.methods) {
        symbols.set(`${s.typeName}.${m.name}`, file);
      }
    }
  };
  for (const s of services) {
    visit(s.file);
  }
  const serviceNames = services.map((s) => ({ name: s.typeName }));
  const encoded = new Map<string, Uint8Array>();
  const encode = (file: DescFile) => {
    let bytes = encoded.get(file.name);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      encoded.set(file.name, bytes);
    }
    return bytes;
  };
  /** The file first, then its transitive dependencies, each once. */
  const withDependencies = (file: DescFile): Answer => {
    const out: DescFile[] = [];
    const seen = new Set<string>();
    const add = (f: DescFile) => {
      if (!seen.has(f.name)) {
        seen.add(f.name);
        out.push(f);
        f.dependencies.forEach(add);
      }
    };
    add(file);
    return { case: "fileDescriptorResponse", value: { fileDescriptorProto: out.map(encode) } };
  };
  const error = (errorCode: number, errorMessage: string): Answer => ({
    case: "errorResponse",
    value: { errorCode, errorMessage },
  });

  return (question) => {
    switch (question.case) {
      case "listServices":
        return { case: "listServicesResponse", value: { service: serviceNames } };
      case "fileByFilename": {
        const file = files.get(question.value);
        return file === undefined
          ? error(notFound, `file '${question.value}' not found`)
          : withDependencies(file);
      }
      case "fileContainingSymbol": {
        const file = symbols.get(question.value);
        return file === undefined
          ? error(notFound, `symbol '${question.value}' not found`)
          : withDependencies(file);
      }
      case "fileContainingExtension":
        return error(
          notFound,
          `extension ${question.value.extensionNumber} of '${question.value.containingType}' not found`,
        );
      case "allExtensionNumbersOfType":
        return symbols.has(question.value)
          ? {
              case: "allExtensionNumbersResponse",
              value: { baseTypeName: question.value, extensionNumber: [] },
            }
          : error(notFound, `type '${question.value}' not found`);
      default:
        return error(invalidArgument, "the request sets no message_request field");
    }
  };
}
