from tests.world import World


async def test_world_has_scoped_actors(world: World) -> None:
    township_officer = world.actors["township"]
    assert township_officer.sees(world.village.path)
    assert not township_officer.sees(world.sibling_village.path)
    assert world.actors["county"].sees(world.sibling_village.path)
    assert not world.actors["county"].sees(world.other_village.path)
