import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '@app/platform';
import { AllocationService } from './allocation.service';
import { AllocationRequestDto, BatchAllocationDto } from './dto/allocation-request.dto';
import { AllocationResponseDto, BatchAllocationResponseDto } from './dto/allocation.response';

@ApiTags('allocations')
@ApiBearerAuth()
@Controller('v1/allocations')
export class AllocationController {
  constructor(private readonly allocations: AllocationService) {}

  @Post()
  @Roles('hook')
  @ApiOperation({ summary: 'Reserve a MAC for a port (idempotent on portId)' })
  @ApiResponse({ status: 201, description: 'reserved now', type: AllocationResponseDto })
  @ApiResponse({ status: 200, description: 'the port already had this MAC', type: AllocationResponseDto })
  @ApiResponse({ status: 409, description: 'pool_exhausted' })
  async reserve(
    @Body() dto: AllocationRequestDto,
    @CurrentPrincipal() actor: Principal,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<AllocationResponseDto> {
    const { allocation, created } = await this.allocations.reserve(dto, actor);
    res.status(created ? 201 : 200);
    return allocation;
  }

  @Post('batch')
  @Roles('hook')
  @ApiOperation({ summary: 'Reserve MACs for several ports, all or nothing' })
  @ApiResponse({ status: 201, type: BatchAllocationResponseDto })
  async reserveBatch(@Body() dto: BatchAllocationDto, @CurrentPrincipal() actor: Principal): Promise<BatchAllocationResponseDto> {
    return { allocations: await this.allocations.reserveBatch(dto.ports, actor) };
  }

  @Get(':portId')
  @Roles('hook', 'reader')
  @ApiOkResponse({ type: AllocationResponseDto })
  get(@Param('portId') portId: string): Promise<AllocationResponseDto> {
    return this.allocations.get(portId);
  }

  @Post(':portId/commit')
  @HttpCode(200)
  @Roles('hook')
  @ApiOkResponse({ type: AllocationResponseDto })
  commit(@Param('portId') portId: string, @CurrentPrincipal() actor: Principal): Promise<AllocationResponseDto> {
    return this.allocations.commit(portId, actor);
  }

  @Delete(':portId')
  @HttpCode(204)
  @Roles('hook')
  @ApiOperation({ summary: "Release the port's MAC into quarantine; 204 also for an unknown port" })
  @ApiNoContentResponse()
  async release(@Param('portId') portId: string, @CurrentPrincipal() actor: Principal): Promise<void> {
    await this.allocations.release(portId, actor);
  }
}
